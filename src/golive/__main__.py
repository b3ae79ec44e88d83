"""`python -m golive`: the same as the `golive` command."""

from golive.cli import main

main()
