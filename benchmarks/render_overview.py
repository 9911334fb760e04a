"""Render the 概览 sheet of the audit workbook to PDF and PNG with LibreOffice, to look at it as
a county analyst opens and prints it (issue 11).

    .venv/bin/python benchmarks/render_overview.py [INPUT] [--lang zh|en] [--out DIR]
        [--png docs/img/overview.png]

Audits INPUT (default: sample_data/county_2019.xlsx), writes a workbook holding only 概览
(the same code as `exitcheck audit`), converts it with `soffice --headless --convert-to pdf`,
prints the page count and renders each page with `pdftoppm -png`. With --png, page 1 is also
saved there, scaled down to a small file for the README. Needs LibreOffice (soffice) and
poppler-utils (pdftoppm); tests/report/test_overview_render.py runs it where they exist.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data" / "county_2019.xlsx"


def tools_missing() -> list[str]:
    """The programs this script needs that are not on PATH."""
    return [tool for tool in ("soffice", "pdftoppm", "pdfinfo") if shutil.which(tool) is None]


def write_overview(source: Path, target: Path, lang: str = "zh") -> Path:
    """Audit ``source`` and write a workbook with the 概览 sheet only to ``target``."""
    import xlsxwriter

    from exitcheck.aggregate import summarize
    from exitcheck.pipeline import AuditOptions, run_audit
    from exitcheck.report import excel

    result = run_audit(AuditOptions(paths=[source], lang=lang))
    summary = summarize(result, fail_on="fail")
    book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False,
                                             "strings_to_urls": False})
    try:
        excel._overview(excel._Writer(book), result, summary, lang, show_ids=False)
    finally:
        book.close()
    return target


def to_pdf(workbook: Path, out_dir: Path) -> Path:
    """``soffice --headless --convert-to pdf`` (a private profile, so that a running LibreOffice
    of the user's is not disturbed)."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(workbook)],
            check=True, capture_output=True, timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = out_dir / (workbook.stem + ".pdf")
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no PDF for {workbook}")
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    if match is None:
        raise RuntimeError(f"pdfinfo gave no page count for {pdf}")
    return int(match.group(1))


def to_png(pdf: Path, prefix: Path, dpi: int = 80, height: float = 1.0) -> list[Path]:
    """One PNG per page; ``height``: the top fraction of each A4 landscape page kept."""
    crop = ["-H", str(int(595 / 72 * dpi * height))] if height < 1 else []
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), *crop, str(pdf), str(prefix)],
                   check=True, capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def render(source: Path, out_dir: Path, lang: str = "zh") -> tuple[Path, int, list[Path]]:
    """(the PDF, its page count, one PNG per page) of ``source``'s 概览."""
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = write_overview(source, out_dir / f"overview_{lang}.xlsx", lang)
    pdf = to_pdf(workbook, out_dir)
    pages = to_png(pdf, out_dir / f"overview_{lang}")
    return pdf, page_count(pdf), pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "overview")
    parser.add_argument("--png", type=Path, help="save page 1 here (README picture)")
    args = parser.parse_args()
    missing = tools_missing()
    if missing:
        print(f"needs {', '.join(missing)} (apt-get install libreoffice-calc poppler-utils "
              "fonts-noto-cjk)", file=sys.stderr)
        return 2
    pdf, pages, pngs = render(args.input, args.out, args.lang)
    print(f"{pdf}: {pages} page(s)")
    for png in pngs:
        print(f"  {png}")
    if args.png is not None:
        # Page 1 at a resolution that keeps the README picture small (< 300 kB).
        small = to_png(pdf, args.out / "readme", dpi=110, height=0.72)[0]
        args.png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(small, args.png)
        print(f"page 1 -> {args.png} ({args.png.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
