"""Regenerate county_ods.ods (needs LibreOffice): a small generated county, saved as xlsx by
exitcheck's sample writer (title rows, two-row merged header, 合计 row), converted by LibreOffice.

    python tests/io/data/make_ods.py

The .ods is committed: CI has no LibreOffice. tests/io/test_io_ods.py compares it with the same
county written as xlsx now: both take seed and size from tests/io/io_helpers.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from io_helpers import ODS_COUNTY, ODS_HOUSEHOLDS, ODS_SEED  # noqa: E402


def main() -> None:
    frame, truth = generate_county(ODS_HOUSEHOLDS, seed=ODS_SEED, county_code=ODS_COUNTY)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = save(frame, truth, Path(tmp) / "county_ods.xlsx")
        subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", tmp,
                        str(xlsx)], check=True, capture_output=True, timeout=120)
        shutil.copy(Path(tmp) / "county_ods.ods", HERE / "county_ods.ods")
    print(f"wrote {HERE / 'county_ods.ods'}")


if __name__ == "__main__":
    main()
