"""The command line: the same services as the GUI, scriptable and testable.

Exit codes: 0 done, 1 anything else, 2 usage error, 3 wrong passphrase,
4 not a vault / damaged / unsupported version.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from models.errors import DomainError
from models.vault import Vault, VaultError

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
PASSPHRASE_ENV = "WORKSTATION_PASSPHRASE"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def read_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """From WORKSTATION_PASSPHRASE, --passphrase-file, or a prompt; never from argv."""
    if args.passphrase_file is not None:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"Cannot read the passphrase file ({exc.strerror}). Check the path."
            ) from None
        # Only the line ending an editor adds is dropped; spaces may be part of it.
        passphrase = text[:-1] if text.endswith("\n") else text
        passphrase = passphrase[:-1] if passphrase.endswith("\r") else passphrase
    elif os.environ.get(PASSPHRASE_ENV):
        passphrase = os.environ[PASSPHRASE_ENV]
    elif sys.stdin is not None and sys.stdin.isatty():
        passphrase = getpass.getpass("Vault passphrase: ")
        if confirm and getpass.getpass("Type it again: ") != passphrase:
            raise UsageError("The two passphrases differ. Run the command again.")
    else:
        raise UsageError(
            f"No passphrase: set {PASSPHRASE_ENV}, use --passphrase-file FILE, "
            "or run in a terminal to be asked."
        )
    if not passphrase:
        raise UsageError("The passphrase is empty.")
    return passphrase


def _open(args: argparse.Namespace) -> Vault:
    from models.vault import open_vault

    return open_vault(args.vault, read_passphrase(args))


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import DemoPlan, generate_demo
    from models.vault import create_vault

    if args.clients < 1 or args.clients > 5000:
        raise UsageError("--clients must be between 1 and 5000.")
    vault = create_vault(args.vault, read_passphrase(args, confirm=True))
    try:
        with vault.transaction() as session:
            result = generate_demo(session, DemoPlan(clients=args.clients, seed=args.seed))
    except BaseException:
        vault.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.vault) + suffix).unlink(missing_ok=True)
        raise
    vault.close()
    print(
        f"Created demo vault {args.vault.name}: {result.clients} clients, "
        f"{result.courses} courses, {result.dosing_sessions} dosing sessions, "
        f"{result.notes} notes, {result.administrations} measure administrations, "
        f"{result.targets} targets, {result.parts} IFS parts."
    )
    return EXIT_OK


def cmd_clients(args: argparse.Namespace) -> int:
    from models.services import clients

    vault = _open(args)
    try:
        with vault.session() as session:
            rows = clients.list_clients(session)
    finally:
        vault.close()
    width = max((len(r.name) for r in rows), default=4)
    for r in rows:
        print(
            f"{r.record_number}  {r.name:<{width}}  {r.status:<10}  "
            f"dosing {r.dosing_sessions:>3}  notes {r.notes:>4}"
        )
    if not rows:
        print("The vault holds no clients yet.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from models import audit
    from models.vault import as_vault_error, integrity_check

    vault = _open(args)
    try:
        report = integrity_check(vault)
        try:
            with vault.session() as session:
                chain = audit.verify_chain(session)
        except Exception as exc:
            if as_vault_error(exc) is None:
                raise
            chain = audit.ChainReport(0, -1, "the audit log could not be read: damaged")
    finally:
        vault.close()
    print(f"Vault {args.vault.name}: opened with the passphrase (SQLCipher 4).")
    for check in report.checks:
        print(f"  checked: {check}")
    print(f"  checked: audit chain ({chain.events} events)")
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    if not chain.ok:
        print(f"  PROBLEM: audit chain: {chain.problem}")
    if report.ok and chain.ok:
        print("Result: no problems found.")
        return EXIT_OK
    print("Result: problems found. Keep this file as it is and restore the latest backup.")
    return 4


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "demo": (cmd_demo, "create a new vault filled with a synthetic demo practice"),
    "clients": (cmd_clients, "list the clients: record number, name, status, session counts"),
    "verify": (cmd_verify, "check the vault's integrity and its audit chain"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workstation",
        description="Integration Workstation. Without a command, the application opens.",
        epilog=f"The passphrase comes from ${PASSPHRASE_ENV}, --passphrase-file, or a prompt.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_fn, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--vault", type=Path, required=True, metavar="PATH",
                       help="the vault file")
        p.add_argument("--passphrase-file", metavar="FILE",
                       help="read the passphrase from this file (first line)")
        if name == "demo":
            p.add_argument("--clients", type=int, default=12, metavar="N",
                           help="how many synthetic clients (default 12)")
            p.add_argument("--seed", type=int, default=7, metavar="S",
                           help="random seed; the same seed gives the same practice")
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    fn, _ = COMMANDS[args.command]
    try:
        return fn(args)
    except UsageError as exc:
        print(f"workstation {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VaultError as exc:
        print(f"workstation {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except DomainError as exc:
        print(f"workstation {args.command}: {exc}", file=sys.stderr)
        return EXIT_OTHER
    except Exception as exc:
        from models.vault import as_vault_error

        translated = as_vault_error(exc)
        if translated is None:
            raise
        print(f"workstation {args.command}: {translated}", file=sys.stderr)
        return translated.exit_code
    except KeyboardInterrupt:
        print(f"workstation {args.command}: interrupted; nothing was saved.", file=sys.stderr)
        return EXIT_OTHER
