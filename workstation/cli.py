"""The command line: the same services as the GUI, scriptable and testable.

Exit codes: 0 done, 1 anything else, 2 usage error, 3 wrong passphrase,
4 not a vault / damaged / unsupported version.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from models.errors import DomainError
from models.vault import Vault, VaultError

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
PASSPHRASE_ENV = "WORKSTATION_PASSPHRASE"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Exits 2 on a usage error, takes no abbreviated option (`--passphrase SECRET` must
    not be read as `--passphrase-file`), and never repeats a value it did not expect:
    an unrecognised argument may be a secret typed in the wrong place."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            shown = [a.split("=", 1)[0] for a in message.split(":", 1)[1].split()
                     if a.startswith("-")]
            message = ("unrecognized arguments" + (f": {' '.join(shown)}" if shown else "")
                       + " (values are not repeated here, in case one is a secret)")
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def read_passphrase_file(path: str | Path) -> str:
    """The first line of the file, without its line ending; spaces may be part of it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            f"Cannot read the passphrase file ({exc.strerror or 'unreadable'}). "
            "Check the path and its permissions."
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            "The passphrase file is not UTF-8 text. Save it as UTF-8 (plain text) and run "
            "the command again."
        ) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors add
    first = text.split("\n", 1)[0]
    return first.removesuffix("\r")


def _from_environment(name: str) -> str:
    value = os.environ[name]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{name} holds bytes that are not UTF-8 text; set it again.") from None
    return value


def read_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """From WORKSTATION_PASSPHRASE, --passphrase-file, or a prompt; never from argv."""
    if args.passphrase_file is not None:
        passphrase = read_passphrase_file(args.passphrase_file)
    elif os.environ.get(PASSPHRASE_ENV):
        passphrase = _from_environment(PASSPHRASE_ENV)
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


def _warn(args: argparse.Namespace, message: str) -> None:
    print(f"workstation {args.command}: {message}", file=sys.stderr)


def _open(args: argparse.Namespace) -> Vault:
    from models.vault import open_vault

    vault = open_vault(args.vault, read_passphrase(args))
    if vault.read_only:
        _warn(args, f"note: {vault.name} is open read-only: {vault.read_only_reason}")
    return vault


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import DemoPlan, DemoResult, generate_demo
    from models.vault import create_vault, passphrase_problem

    if args.clients < 1 or args.clients > 5000:
        raise UsageError("--clients must be between 1 and 5000.")
    passphrase = read_passphrase(args, confirm=True)
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise UsageError(problem)
    results: list[DemoResult] = []

    def populate(session: Any) -> None:
        results.append(generate_demo(session, DemoPlan(clients=args.clients, seed=args.seed)))

    # The practice is built under a temporary name and appears at --vault only when it is
    # complete: stopping the command part-way leaves no half-made vault behind.
    create_vault(args.vault, passphrase, populate=populate).close()
    result = results[0]
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


def _measures_document(chart: Any, view: Any, scored_list: list[Any]) -> dict[str, Any]:
    """The JSON shape documented in the README (keys are stable; add, never rename)."""
    administrations = []
    for scored in scored_list:
        a, score = scored.administration, scored.score
        administrations.append(
            {
                "date": a.administered_on.isoformat(),
                "instrument": a.instrument_id,
                "instrument_version": a.instrument_version,
                "relation_to_care": a.relation_to_care,
                "answers": {str(item): _number(value) for item, value in a.responses},
                "total": score.total,
                "complete": score.complete,
                "band": score.band.label if score.band else None,
                "band_validated": score.band.validated if score.band else None,
                "flags": [flag.describe() for flag in score.flags],
                "safety_flag": score.has_safety_flag,
                "subscales": {s.key: s.total for s in score.subscales},
                "dosing_session_id": a.dosing_session_id,
                "entered_in_error": a.entered_in_error,
                "entered_in_error_reason": a.entered_in_error_reason,
            }
        )
    administrations.sort(key=lambda a: (a["date"], a["instrument"]))
    summaries = {}
    for series in view.series:
        s = series.summary
        summaries[series.instrument.id] = {
            "baseline": {"date": s.baseline.when.isoformat(), "total": s.baseline.total}
            if s.baseline
            else None,
            "latest": {"date": s.latest.when.isoformat(), "total": s.latest.total}
            if s.latest
            else None,
            "change": s.change,
            "label": str(s.label),
            "reliable_change_points": s.reliable_change,
            "response": s.response,
            "remission": s.remission,
            "clinically_meaningful": s.clinically_meaningful,
        }
    dissociation = [
        {
            "dose": d.dose_number,
            "date": d.when.isoformat() if d.when else None,
            "instrument": d.score.instrument_id,
            "total": d.score.total,
        }
        for d in view.dissociation
    ]
    return {
        "client": chart.client.record_number,
        "administrations": administrations,
        "summaries": summaries,
        "dissociation_per_dose": dissociation,
    }


def cmd_measures(args: argparse.Namespace) -> int:
    from models.services import chart as chart_service
    from models.services import clients, measures

    vault = _open(args)
    try:
        with vault.session() as session:
            client = clients.find_client_by_record_number(session, args.client)
            chart = chart_service.load_client_chart(session, client.id)
            known = measures.available_instruments(session)
    finally:
        vault.close()
    view = measures.build_measures_view(chart, known)
    scored = [measures.score_administration(a, known) for a in chart.administrations]
    document = _measures_document(chart, view, [s for s in scored if s is not None])
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Measures for {chart.client.record_number}")
    if not document["administrations"]:
        print("  No measures recorded yet.")
    for a in document["administrations"]:
        total = a["total"] if a["complete"] else "incomplete"
        answers = " ".join(f"{k}:{_fmt(v)}" for k, v in a["answers"].items())
        flags = f"  [{'; '.join(a['flags'])}]" if a["flags"] else ""
        if a["entered_in_error"]:
            flags = f"  [ENTERED IN ERROR, not counted: {a['entered_in_error_reason']}]"
        print(
            f"  {a['date']}  {a['instrument']:<7} {a['relation_to_care']:<12} "
            f"total {total!s:<4} {a['band'] or '':<20}{flags}"
        )
        subscales = " ".join(f"{k} {v}" for k, v in a["subscales"].items())
        print(f"      answers {answers}" + (f"   subscales {subscales}" if subscales else ""))
    for instrument_id, s in document["summaries"].items():
        if s["baseline"] is None or s["latest"] is None:
            print(f"  {instrument_id}: {s['label']}")
            continue
        extras = [
            name.replace("_", " ")
            for name in ("response", "remission", "clinically_meaningful")
            if s[name]
        ]
        print(
            f"  {instrument_id}: baseline {s['baseline']['total']} ({s['baseline']['date']})"
            f", latest {s['latest']['total']} ({s['latest']['date']}), change "
            f"{s['change']:+d}: {s['label']}" + (f"; {', '.join(extras)}" if extras else "")
        )
    by_instrument: dict[str, list[str]] = {}
    for d in document["dissociation_per_dose"]:
        by_instrument.setdefault(d["instrument"], []).append(
            f"D{d['dose']} {d['total'] if d['total'] is not None else 'incomplete'}"
        )
    for instrument_id, doses in by_instrument.items():
        print(f"  {instrument_id} per dosing session: {', '.join(doses)}")
    return EXIT_OK


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _fmt(value: float | None) -> str:
    return "-" if value is None else str(_number(value))


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "demo": (cmd_demo, "create a new vault filled with a synthetic demo practice"),
    "clients": (cmd_clients, "list the clients: record number, name, status, session counts"),
    "verify": (cmd_verify, "check the vault's integrity and its audit chain"),
    "measures": (cmd_measures, "a client's measures: every administration and the change"),
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
        p.add_argument("--vault", type=Path, required=True, metavar="PATH", help="the vault file")
        p.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="read the passphrase from this file (first line)",
        )
        if name == "demo":
            p.add_argument(
                "--clients",
                type=int,
                default=12,
                metavar="N",
                help="how many synthetic clients (default 12)",
            )
            p.add_argument(
                "--seed",
                type=int,
                default=7,
                metavar="S",
                help="random seed; the same seed gives the same practice",
            )
        if name == "measures":
            p.add_argument(
                "--client",
                required=True,
                metavar="RECORD",
                help="the client's record number, e.g. C-0001",
            )
            p.add_argument(
                "--json",
                action="store_true",
                help="one JSON document (keys documented in the README)",
            )
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
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; that is not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except OSError as exc:
        # A file or folder the command was pointed at: say which (by name) and why.
        where = f" ({Path(exc.filename).name})" if exc.filename else ""
        print(f"workstation {args.command}: {exc.strerror or type(exc).__name__}{where}. "
              "Check the path and its permissions.", file=sys.stderr)
        return EXIT_OTHER
    except Exception as exc:
        from models.vault import as_vault_error

        translated = as_vault_error(exc, getattr(args, "vault", None))
        if translated is None:
            raise
        print(f"workstation {args.command}: {translated}", file=sys.stderr)
        return translated.exit_code
    except KeyboardInterrupt:
        print(f"workstation {args.command}: interrupted; nothing was saved.", file=sys.stderr)
        return EXIT_OTHER
