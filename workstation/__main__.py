"""Entry point: `workstation` opens the GUI; `workstation SUBCOMMAND` runs the command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if (args and not args[0].startswith("-")) or any(a in ("-h", "--help") for a in args[:1]):
        from workstation import cli

        return cli.main(args)
    from workstation import gui

    return gui.run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
