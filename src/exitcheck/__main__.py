"""`python -m exitcheck` runs the CLI."""

from exitcheck.cli.app import main

main()
