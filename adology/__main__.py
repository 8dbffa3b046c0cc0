"""``python -m adology`` runs the command line, so the stack can start its parts with this interpreter."""

from adology.cli import main

main()
