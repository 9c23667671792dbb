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
from typing import TYPE_CHECKING, Any, NoReturn

from models.clinical.doses import dose_refs
from models.clinical.measures import BASELINE_RULE, ScoredAdministration, change_sentence
from models.clinical.safety import SafetyFollowUp, safety_followups
from models.dto import ChainReport, ClientChart
from models.errors import DomainError
from models.vault import Vault, VaultError
from models.vocabulary import CLIENT_STATUSES

if TYPE_CHECKING:
    from models.backend import Backend
    from models.clinical.measures import MeasuresView

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


def _backend(args: argparse.Namespace) -> Backend:
    """The backend the windows use, on the vault named by --vault."""
    from models.backend import open_backend

    return open_backend(args.vault, read_passphrase(args))


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
    backend = _backend(args)
    try:
        rows = backend.clients.summaries()
    finally:
        backend.close()
    width = max((len(r.name) for r in rows), default=4)
    for r in rows:
        print(
            f"{r.record_number}  {r.name:<{width}}  {CLIENT_STATUSES.label(r.status):<10}  "
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
            chain = ChainReport(0, -1, "the audit log could not be read: damaged")
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


def _measures_document(
    chart: ClientChart, view: MeasuresView, scored_list: list[ScoredAdministration]
) -> dict[str, Any]:
    """The JSON shape documented in the README (keys are stable; add, never rename)."""
    refs = dose_refs(chart.courses)
    followups = {f.administration_id: f for f in safety_followups(chart)}
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
                "dose": refs[a.dosing_session_id].label
                if a.dosing_session_id in refs else None,
                "entered_in_error": a.entered_in_error,
                "entered_in_error_reason": a.entered_in_error_reason,
                "index_event": a.index_event,
                "safety_follow_up": _follow_up(followups.get(a.id)),
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
            "sentence": change_sentence(series.instrument, s),
            "reliable_change_points": s.reliable_change,
            "response": s.response,
            "remission": s.remission,
            "clinically_meaningful": s.clinically_meaningful,
            "clinically_significant": s.clinically_significant,
            "not_judged": list(s.not_judged),
        }
    dissociation = [
        {
            "dose": d.label,
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


def _follow_up(followup: SafetyFollowUp | None) -> dict[str, Any] | None:
    if followup is None:
        return None
    return {
        "open": followup.open,
        "addressed_on": followup.addressed_on.isoformat() if followup.addressed_on else None,
        "status": followup.status,
    }


def cmd_measures(args: argparse.Namespace) -> int:
    from models.clinical.measures import build_measures_view, score_administration

    backend = _backend(args)
    try:
        chart = backend.clients.chart(backend.clients.find(args.client).id)
        known = backend.measures.instruments()
    finally:
        backend.close()
    view = build_measures_view(chart, known)
    scored = [score_administration(a, known) for a in chart.administrations]
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
        if a["safety_follow_up"]:
            flags += f"  [safety follow-up {a['safety_follow_up']['status']}]"
        if a["entered_in_error"]:
            flags = f"  [ENTERED IN ERROR, not counted: {a['entered_in_error_reason']}]"
        print(
            f"  {a['date']}  {a['instrument']:<7} {a['relation_to_care']:<12} "
            f"total {total!s:<4} {a['band'] or '':<20}{flags}"
        )
        subscales = " ".join(f"{k} {v}" for k, v in a["subscales"].items())
        print(f"      answers {answers}" + (f"   subscales {subscales}" if subscales else ""))
    for s in document["summaries"].values():
        print(f"  {s['sentence']}")
    if document["summaries"]:
        print(f"  ({BASELINE_RULE}.)")
    by_instrument: dict[str, list[str]] = {}
    for d in document["dissociation_per_dose"]:
        by_instrument.setdefault(d["instrument"], []).append(
            f"{d['dose']} {d['total'] if d['total'] is not None else 'incomplete'}"
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
