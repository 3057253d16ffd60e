"""``python -m simulator`` runs the same command as the ``simulator`` console script."""

from simulator.cli import main

main()
