"""``python -m vmcctl`` runs the CLI."""

from __future__ import annotations

from vmcctl.cli import main

main()
