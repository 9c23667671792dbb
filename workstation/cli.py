"""The command line: the same services as the GUI, scriptable and testable.

Exit codes: 0 done, 1 anything else, 2 usage error, 3 wrong passphrase,
4 not a vault / damaged / unsupported version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from models.clinical.doses import dose_refs
from models.clinical.measures import BASELINE_RULE, ScoredAdministration, change_sentence
from models.clinical.safety import SafetyFollowUp, safety_followups
from models.clinical.waiting import (
    NOTHING_WAITS,
    totals,
    totals_text,
    waiting_words,
    what_waits,
)
from models.clock import SYSTEM_CLOCK
from models.collections_pause import collections_paused
from models.dto import EXPORT_FORMAT_NAME, ClientChart, Waits
from models.errors import DomainError, VaultError
from models.formatting import EMPTY, date_text, date_time_text, days_since_text
from models.inputs import (
    AUDIT_TRAIL_LIMIT,
    ReportOptions,
    report_password_problem,
    validate_report_options,
    validate_trail_choice,
)
from models.vocabulary import (
    CARE_RELATIONS,
    CLIENT_STATUSES,
    MODALITIES,
    REPORT_KINDS,
    REPORT_SECTIONS,
)

if TYPE_CHECKING:
    from models.backend import Backend
    from models.clinical.measures import MeasuresView
    from models.vault import Vault
    from workstation.report_process import ReportRenderer

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
PASSPHRASE_ENV = "WORKSTATION_PASSPHRASE"
NEW_PASSPHRASE_ENV = "WORKSTATION_NEW_PASSPHRASE"


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


def read_passphrase_file(path: str | Path, what: str = "passphrase") -> str:
    """The first line of the file, without its line ending; spaces may be part of it.
    `what` names the secret in the messages (a passphrase, a report's password)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            f"Cannot read the {what} file ({exc.strerror or 'unreadable'}). "
            "Check the path and its permissions."
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"The {what} file is not UTF-8 text. Save it as UTF-8 (plain text) and run "
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


def _open(args: argparse.Namespace, passphrase: str | None = None) -> Vault:
    from models.vault import open_vault

    vault = open_vault(args.vault, passphrase if passphrase is not None else read_passphrase(args))
    if vault.read_only:
        _warn(args, f"note: {vault.name} is open read-only: {vault.read_only_reason}")
    _warn_if_synced(args, vault.path)
    return vault


def _warn_if_synced(args: argparse.Namespace, path: Path) -> None:
    from models.safekeeping.sync_folders import sync_warning

    warning = sync_warning(path)
    if warning is not None:
        _warn(args, f"warning: {warning}")


def _backend(args: argparse.Namespace) -> Backend:
    """The backend the windows use, on the vault named by --vault (with the same notes on
    stderr as every command: read-only, a sync folder). The vault's key is derived on a
    thread while SQLAlchemy and the models load, which takes about as long."""
    from models.vault_key import start_deriving

    passphrase = read_passphrase(args)
    start_deriving(args.vault, passphrase)
    from models.backend import Backend

    return Backend(_open(args, passphrase))


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import DemoPlan, DemoResult
    from models.demo_shards import build_demo
    from models.inputs import passphrase_problem
    from models.vault import create_vault

    if args.clients < 1 or args.clients > 5000:
        raise UsageError("--clients must be between 1 and 5000.")
    passphrase = read_passphrase(args, confirm=True)
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise UsageError(problem)
    results: list[DemoResult] = []

    def populate(session: Any) -> None:
        results.append(build_demo(session, DemoPlan(clients=args.clients, seed=args.seed)))

    # The practice is built under a temporary name and appears at --vault only when it is
    # complete: stopping the command part-way leaves no half-made vault behind.
    create_vault(args.vault, passphrase, populate=populate).close()
    _warn_if_synced(args, args.vault)
    result = results[0]
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
        waiting = waiting_words(r)
        print(
            f"{r.record_number}  {r.name:<{width}}  {CLIENT_STATUSES.label(r.status):<10}  "
            f"dosing {r.dosing_sessions:>3}  notes {r.notes:>4}"
            + (f"  ({waiting})" if waiting else "")
        )
    if not rows:
        print("The vault holds no clients yet.")
    return EXIT_OK


# What `waiting --json` calls the count of each kind.
_WAITING_COUNTS = {Waits.FOLLOW_UP: "safety_follow_ups_open", Waits.TO_SIGN: "notes_to_sign",
                   Waits.TO_WRITE: "dosing_notes_to_write",
                   Waits.INTEGRATION: "doses_awaiting_integration"}


def cmd_waiting(args: argparse.Namespace) -> int:
    """What waits across the practice, as the window's What waits lists it: each safety
    follow-up still open, then each note to write or sign, then each dose awaiting its
    integration sessions, oldest first."""
    backend = _backend(args)
    try:
        items = backend.clients.waiting()
        today = backend.today
    finally:
        backend.close()
    counts = totals(items)
    if args.json:
        print(json.dumps({
            **{_WAITING_COUNTS[kind]: count for kind, count in counts.items()},
            "items": [{
                "kind": item.kind.value,
                "client": item.record_number,
                "client_name": item.client_name,
                "client_status": item.client_status,
                "date": item.day.isoformat(),
                "what": what_waits(item),
                "note_id": item.note_id,
                "template": item.template_id or None,
                "dose": item.dose_label or None,
                # A dose awaiting integration: the sessions held after it, and planned by
                # its course.
                "sessions_held": item.held if item.kind is Waits.INTEGRATION else None,
                "sessions_planned": item.planned if item.kind is Waits.INTEGRATION else None,
                "days_waiting": (today - item.day).days,
            } for item in items],
        }, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not items:
        print(NOTHING_WAITS)
        return EXIT_OK
    print(" · ".join(totals_text(count, kind) for kind, count in counts.items() if count))
    width = max(len(item.client_name) for item in items)
    for item in items:
        status = " (discharged)" if item.client_status == "discharged" else ""
        print(f"{item.record_number}  {item.client_name:<{width}}  "
              f"{date_text(item.day):>11}  {days_since_text(item.day, today):>8}  "
              f"{what_waits(item)}{status}")
    return EXIT_OK


def _last_backup_line(last: Any) -> str:
    from models.safekeeping.backup import backup_due, utcnow

    if last is None:
        when = "never"
    else:
        days = (utcnow() - last).days
        when = f"{last:%Y-%m-%d %H:%M} UTC ({days} day{'s' if days != 1 else ''} ago)"
    line = f"  last backup: {when}"
    if backup_due(last, utcnow()):
        line += " -- make one: workstation backup --vault PATH --out FOLDER"
    return line


def cmd_verify(args: argparse.Namespace) -> int:
    from models.safekeeping.verify import verify_vault

    vault = _open(args)
    try:
        report = verify_vault(vault, backup=args.backup)
    finally:
        vault.close()
    print(f"Vault {args.vault.name}: opened with the passphrase (SQLCipher 4).")
    for check in report.checks:
        print(f"  checked: {check}")
    print(_last_backup_line(report.last_backup_at))
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    if report.ok:
        print("Result: no problems found.")
        return EXIT_OK
    print("Result: problems found. Keep this file as it is; the vault opens read-only until "
          "they are resolved. Restore the latest backup, or export what you need first.")
    return 4


def _print_progress(enabled: bool) -> Callable[[float], None] | None:
    """A one-line progress display on a terminal's stderr; nothing when redirected."""
    if not enabled or not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        end = "\n" if fraction >= 1.0 else ""
        print(f"\r  {int(fraction * 100):3d}%", end=end, file=sys.stderr, flush=True)

    return show


def cmd_backup(args: argparse.Namespace) -> int:
    from models.safekeeping.backup import backup_vault

    if args.keep is not None and args.keep < 1:
        raise UsageError("--keep must be 1 or more.")
    vault = _open(args)
    try:
        report = backup_vault(vault, args.out, keep=args.keep,
                              progress=_print_progress(True))
    finally:
        vault.close()
    print(f"Backup written: {report.path} ({report.size_bytes // 1024} KiB, {report.tables} "
          f"tables, {report.rows} rows; encrypted with the vault's passphrase).")
    print("It was opened and checked: every page's HMAC, SQLite's integrity check, the row "
          "count of every table, the locks and the signed record.")
    for path in report.pruned:
        print(f"Removed an older backup: {path.name}")
    if report.note:
        _warn(args, f"note: {report.note}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from models.safekeeping.restore import restore_vault

    report = restore_vault(args.source, args.vault, read_passphrase(args),
                           progress=_print_progress(True))
    taken = f" (taken {report.backup_taken_at:%Y-%m-%d %H:%M} UTC)" \
        if report.backup_taken_at else ""
    print(f"Restored {report.path.name} from {report.backup.name}{taken}; it opened and "
          "passed its checks.")
    if report.safety_copy is not None:
        print(f"The vault as it was before is kept as {report.safety_copy.name} (with its "
              "-wal file, if it had one). Delete it once you are sure you do not need it.")
    return EXIT_OK


def read_new_passphrase(args: argparse.Namespace) -> str:
    """The new passphrase: WORKSTATION_NEW_PASSPHRASE, --new-passphrase-file, or typed
    twice at a prompt; never from argv."""
    if args.new_passphrase_file is not None:
        return read_passphrase_file(args.new_passphrase_file)
    if os.environ.get(NEW_PASSPHRASE_ENV):
        return _from_environment(NEW_PASSPHRASE_ENV)
    if sys.stdin is not None and sys.stdin.isatty():
        new = getpass.getpass("New passphrase: ")
        if getpass.getpass("Type the new passphrase again: ") != new:
            raise UsageError("The two new passphrases differ; nothing was changed.")
        return new
    raise UsageError(
        f"No new passphrase: set {NEW_PASSPHRASE_ENV}, use --new-passphrase-file FILE, or "
        "run in a terminal to be asked (twice)."
    )


def cmd_rekey(args: argparse.Namespace) -> int:
    from models.safekeeping.rekey import change_passphrase

    old = read_passphrase(args)
    new = read_new_passphrase(args)
    report = change_passphrase(args.vault, old, new, progress=_print_progress(True))
    print(f"The passphrase of {report.path.name} is changed: it was re-encrypted with a new "
          "key and opens only with the new passphrase now.")
    print("Backups made before now still open with the old passphrase; make a new backup.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from models.safekeeping.export import export_practice

    vault = _open(args)
    try:
        report = export_practice(vault, args.out, include_private=args.include_private_notes,
                                 progress=_print_progress(True))
    finally:
        vault.close()
    _warn(args, f"WARNING: {report.warning}")
    print(f"Exported {report.rows} rows of {report.tables} tables into {report.folder}: "
          f"practice.json and one CSV file per table, with {EXPORT_FORMAT_NAME}, which "
          "describes the format.")
    print("Private process notes were " + ("included." if report.private_notes_included
                                           else "left out (--include-private-notes adds them)."))
    if report.withheld_note_ids:
        print(f"{len(report.withheld_note_ids)} notes in a template this version does not know "
              "were exported without their content.")
    if report.note:
        _warn(args, f"note: {report.note}")
    return EXIT_OK


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
    # The JSON document speaks in codes; its text in the words every screen uses.
    def name(instrument_id: str) -> str:
        return known[instrument_id].short_name if instrument_id in known else instrument_id

    for a in document["administrations"]:
        total = a["total"] if a["complete"] else "incomplete"
        answers = " ".join(f"{k}:{_fmt(v)}" for k, v in a["answers"].items())
        flags = f"  [{'; '.join(a['flags'])}]" if a["flags"] else ""
        if a["safety_follow_up"]:
            flags += f"  [safety follow-up {a['safety_follow_up']['status']}]"
        if a["entered_in_error"]:
            flags = f"  [ENTERED IN ERROR, not counted: {a['entered_in_error_reason']}]"
        print(
            f"  {a['date']}  {name(a['instrument']):<7} "
            f"{CARE_RELATIONS.label(a['relation_to_care']):<14} "
            f"total {total!s:<4} {a['band'] or '':<20}{flags}"
        )
        # An administration has subscales only when its instrument is known and has them.
        subscales = "; ".join(f"{known[a['instrument']].subscale(k).label} {v}"
                              for k, v in a["subscales"].items())
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
        print(f"  {name(instrument_id)} per dosing session: {', '.join(doses)}")
    return EXIT_OK


def _date_option(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} takes a date as YYYY-MM-DD, e.g. 2026-10-07.") from None


# The report's options by the name of the option that gives each (its problems are named
# so); `kind` and `detail` are choices argparse checks.
_REPORT_OPTION_NAMES = {"start": "--from", "end": "--to", "sections": "--sections",
                        "practice": "--practice", "comment": "--comment-file",
                        "note_id": "--note"}


def _report_options(args: argparse.Namespace) -> ReportOptions:
    """The options as given, checked by the rules the report service checks them by (a
    usage error that names the option, before the vault is opened)."""
    # Every section of the vocabulary has its builder (a test says so), as the Reports tab
    # also assumes: the command knows them without loading reportlab.
    sections = REPORT_SECTIONS.codes
    if args.sections is not None:
        sections = tuple(code.strip() for code in args.sections.split(",") if code.strip())
    comment = ""
    if args.comment_file is not None:
        try:
            comment = Path(args.comment_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"Cannot read the comment file ({exc.strerror}). "
                             "Check the path.") from None
    note_day = _date_option(args.note, "--note")
    if (note_day is not None) != (args.kind == "note"):
        raise UsageError("--note: give the date of the signed note to copy with --kind note, "
                         "and only then.")
    options = ReportOptions(
        kind=args.kind, start=_date_option(args.date_from, "--from"),
        end=_date_option(args.date_to, "--to"), sections=sections,
        detail="summaries" if args.summaries else "full", include_drafts=args.drafts,
        include_private=args.private, practice=args.practice or "", comment=comment,
        note_id=0 if note_day is not None else None)  # the note is found in the vault
    problems = validate_report_options(options, today=SYSTEM_CLOCK.today())
    if problems:
        raise UsageError(" ".join(f"{_REPORT_OPTION_NAMES.get(field, field)}: {message}"
                                  for field, message in problems.items()))
    return options


def _signed_note_id(chart: ClientChart, day: str, modality: str | None) -> int:
    """The signed note of `day` (and of `modality`, when the day has several) for --note."""
    on_day = [n for n in chart.notes if n.signed and n.session_date.isoformat() == day
              and (modality is None or n.template_id == modality)]
    number = chart.client.record_number
    if not on_day:
        raise UsageError(f"--note: {number} has no signed note dated {day}"
                         f"{f' of kind {modality}' if modality else ''}; check the note's date.")
    if len(on_day) > 1:
        kinds = ", ".join(sorted({n.template_id for n in on_day}))
        raise UsageError(f"--note: {number} has {len(on_day)} signed notes dated {day} "
                         f"({kinds}); add --modality with one of them.")
    return on_day[0].id


def cmd_report(args: argparse.Namespace) -> int:
    """One client's report as a PDF file: the function the Reports tab calls, laid out by
    a second process while this one opens the vault (workstation/report_process.py)."""
    from workstation.report_process import start_renderer

    renderer = start_renderer(args.kind)
    try:
        return _report(args, renderer)
    finally:
        renderer.close()


def _report(args: argparse.Namespace, renderer: ReportRenderer) -> int:
    options = _report_options(args)
    password = None
    if args.password_file is not None:
        password = read_passphrase_file(args.password_file, "password")
        problem = report_password_problem(password)
        if problem:
            raise UsageError(f"--password-file: {problem}")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"The folder for --out does not exist: {out.parent}")
    # Nearly everything loaded now lives to the end of the command: no collection scans it
    # while it loads (a third to a half of a second of a report), and it is set aside after.
    with collections_paused(then_freeze=True):
        backend = _backend(args)
    try:
        with collections_paused(then_freeze=True):
            backend.reports.check_recordable()
            client_id = backend.clients.find(args.client).id
            if options.kind == "note":
                options = replace(options, note_id=_signed_note_id(
                    backend.clients.chart(client_id), args.note, args.modality))
            data = backend.reports.data(client_id, options)
        pdf = renderer.render(data, password)
        # Only the person running the command may read the file: it is a clinical record.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pdf)
        recorded = replace(options, start=data.start, end=data.end)
        backend.reports.record(client_id, recorded, "saved", protected=password is not None,
                               actor_id=data.clinician.id if data.clinician else None)
    finally:
        backend.close()
    period = (f"the note of {date_text(data.start)}" if options.kind == "note"
              else f"{date_text(data.start)} to {date_text(data.end)}")
    print(f"Wrote {out.name}: {REPORT_KINDS.label(options.kind).lower()} for "
          f"{data.client.record_number}, {period}"
          f"{', protected with the password' if password else ''}.")
    return EXIT_OK


def cmd_blank(args: argparse.Namespace) -> int:
    """A blank questionnaire as a PDF, for the client to fill in on paper: the form the
    Blank questionnaire window prints. It names no client and needs no vault."""
    from models.clinical.measures import printable_instruments
    from reports.form import render_blank_form

    printable = {i.id: i for i in printable_instruments()}
    instrument = printable.get(args.instrument)
    if instrument is None:
        raise UsageError(f"--instrument: no blank form of {args.instrument!r}; choose "
                         f"{' or '.join(printable)}.")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"The folder for --out does not exist: {out.parent}")
    out.write_bytes(render_blank_form(instrument, practice=args.practice or ""))
    print(f"Wrote {out.name}: a blank {instrument.short_name} form.")
    return EXIT_OK


def cmd_targets(args: argparse.Namespace) -> int:
    from workstation.registry_documents import targets_document, targets_text

    backend = _backend(args)
    try:
        chart = backend.clients.chart(backend.clients.find(args.client).id)
    finally:
        backend.close()
    document = targets_document(chart)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print("\n".join(targets_text(document)))
    return EXIT_OK


def _date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at takes a date as YYYY-MM-DD, e.g. 2026-10-01; "
                         f"'{text}' is not one.") from None


def cmd_parts(args: argparse.Namespace) -> int:
    from models.formatting import date_text
    from workstation.registry_documents import parts_document, parts_text

    at = _date_argument(args.at) if args.at is not None else None
    backend = _backend(args)
    try:
        client_id = backend.clients.find(args.client).id
        chart = backend.clients.chart(client_id)
        snapshot = backend.parts.snapshot_on(client_id, at) if at is not None else None
        first = backend.parts.snapshots(client_id)[:1] if at is not None and not snapshot \
            else []
    finally:
        backend.close()
    if at is not None and snapshot is None:
        when = (f"the first was kept on {date_text(first[0].taken_on)}" if first
                else "no IFS note has been signed for this client yet")
        raise DomainError(f"No parts map was kept on or before {date_text(at)}: a map is "
                          f"kept each time an IFS note is signed, and {when}. Leave out "
                          "--at for the map now.")
    document = parts_document(chart, snapshot, at)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print("\n".join(parts_text(document)))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from models.errors import ValidationError
    from models.search_text import bracketed_snippet, hit_kind, match_offsets, plain_snippet

    if args.limit < 1 or args.limit > 1000:
        raise UsageError("--limit must be between 1 and 1000.")
    if not args.words.strip():  # a window shows nothing yet; a command has nothing to do
        raise UsageError("Give the words to find, e.g. 'calm*' or '\"calm place\"'.")
    backend = _backend(args)
    try:
        results = backend.search.find(args.words, include_private=args.private,
                                      limit=args.limit)
    except ValidationError as exc:
        raise UsageError(" ".join(exc.problems.values())) from None
    finally:
        backend.close()
    if args.json:
        print(json.dumps({
            "query": results.query,
            "results": [{
                "kind": hit.kind,
                "client": hit.record_number,
                "client_name": hit.client_name,
                "client_status": hit.client_status,
                "note_id": hit.note_id,
                "template": hit.template_id,
                "what": hit_kind(hit),
                "title": hit.title or None,
                "date": hit.day.isoformat() if hit.day else None,
                "note_status": hit.note_status,
                "snippet": plain_snippet(hit.snippet),
                "matches": match_offsets(hit.snippet),
                "private_notes": hit.in_private,
            } for hit in results.hits],
            "more": results.more,
        }, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not results.hits:
        print("No note, addendum, target or part holds all of these words.")
        return EXIT_OK
    for hit in results.hits:
        day = date_text(hit.day)
        private = "  (private notes)" if hit.in_private else ""
        print(f"{hit.record_number}  {hit.client_name}  {day}  {hit_kind(hit)}{private}")
        print(f"    {bracketed_snippet(hit.snippet)}")
    more = "; there are more, add a word to narrow it down" if results.more else ""
    print(f"{len(results.hits)} found{more}.")
    if not args.private:
        print("(Private process notes were not searched; add --private to include them.)")
    return EXIT_OK


# The audit trail's choices by the name of the option that gives each (its problems are
# named so, by validate_trail_choice).
_AUDIT_OPTION_NAMES = {"start": "--from", "end": "--to", "limit": "--limit"}


def cmd_audit(args: argparse.Namespace) -> int:
    """The audit trail in words, newest first, and whether its chain holds (exit code 1
    when it does not). It only reads, so a vault open read-only shows it too."""
    start = _date_option(args.date_from, "--from")
    end = _date_option(args.date_to, "--to")
    problems = validate_trail_choice(start, end, args.limit)
    if problems:
        raise UsageError(" ".join(f"{_AUDIT_OPTION_NAMES.get(field, field)}: {message}"
                                  for field, message in problems.items()))
    backend = _backend(args)
    try:
        client = backend.clients.find(args.client) if args.client is not None else None
        trail = backend.audit.trail(client_id=client.id if client is not None else None,
                                    start=start, end=end, limit=args.limit)
    finally:
        backend.close()
    if args.json:
        print(json.dumps({
            "client": client.record_number if client is not None else None,
            "from": start.isoformat() if start is not None else None,
            "to": end.isoformat() if end is not None else None,
            "events_in_vault": trail.events_in_vault,
            "chain_intact": trail.intact,
            "chain_problem": trail.problem or None,
            "more": trail.more,
            "events": [{
                "id": entry.id,
                "at": entry.occurred_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                "who": entry.who or None,
                "action": entry.action,
                "what": entry.what,
                "record": entry.record or None,
                "client": entry.record_number or None,
                "client_name": entry.client_name or None,
                "detail": entry.detail or None,
            } for entry in trail.entries],
        }, indent=2, ensure_ascii=False))
    else:
        whose = (f"{client.record_number} {client.name}" if client is not None
                 else "the whole vault")
        period = (f", {date_text(start)} to {date_text(end)}" if start and end
                  else f", from {date_text(start)} on" if start
                  else f", up to {date_text(end)}" if end else "")
        print(f"Audit trail of {whose}{period}, newest first:")
        # One row a line, its columns lined up; with --client the heading names the client.
        rows = [[date_time_text(entry.occurred_at), entry.who or EMPTY, entry.what,
                 entry.record,
                 f"{entry.record_number} {entry.client_name}" if client is None
                 and entry.record_number else "", entry.detail]
                for entry in trail.entries]
        for line in _table(rows):
            print(f"  {line}")
        shown, total = len(trail.entries), trail.events_in_vault
        in_vault = f"{total:,} event{'' if total == 1 else 's'} in the vault"
        if shown:
            more = ("; older events were left out: narrow with --from/--to or --client, or "
                    "raise --limit" if trail.more else "")
            print(f"{shown:,} event{'' if shown == 1 else 's'} shown, of {in_vault}{more}.")
        else:
            print(f"No event matches this choice ({in_vault}).")
        if trail.intact:
            print("The audit chain holds: every event is linked to the one before it.")
    if not trail.intact:
        _warn(args, f"WARNING: the audit chain does not hold: {trail.problem}. Run "
                    "`workstation verify` and restore the latest backup that verifies.")
        return EXIT_OTHER
    return EXIT_OK


def _table(rows: list[list[str]]) -> list[str]:
    """The rows as lines, each column as wide as its widest cell and two spaces between
    columns; a column empty in every row is left out."""
    shown = [index for index in range(len(rows[0]) if rows else 0)
             if any(row[index] for row in rows)]
    widths = {index: max(len(row[index]) for row in rows) for index in shown}
    return ["  ".join(f"{row[index]:<{widths[index]}}" for index in shown).rstrip()
            for row in rows]


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _fmt(value: float | None) -> str:
    return "-" if value is None else str(_number(value))


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "demo": (cmd_demo, "create a new vault filled with a synthetic demo practice"),
    "clients": (cmd_clients, "list the clients: record number, name, status, session "
                             "counts, and what waits (a safety follow-up open, notes to sign)"),
    "waiting": (cmd_waiting, "what waits across the practice: each safety follow-up still "
                             "open, then each note to sign, oldest first"),
    "verify": (cmd_verify, "check the vault's integrity, its locks, its signed record and "
                           "its audit chain"),
    "backup": (cmd_backup, "write an encrypted, checked copy of the vault"),
    "restore": (cmd_restore, "put a backup in the vault's place (the current vault is kept)"),
    "rekey": (cmd_rekey, "change the vault's passphrase"),
    "export": (cmd_export, "write the whole practice as plain JSON and CSV (NOT encrypted)"),
    "measures": (cmd_measures, "a client's measures: every administration and the change"),
    "report": (cmd_report, "a client's progress report or prescriber's summary as a PDF"),
    "targets": (cmd_targets, "a client's target memories: fields, status, part, SUD/VoC"),
    "parts": (cmd_parts, "a client's IFS parts map: parts, relations and statuses"),
    "search": (cmd_search, "find words in every note, addendum, target and part"),
    "blank": (cmd_blank, "a blank questionnaire as a PDF, for the client to fill in on "
                         "paper (names no client; needs no vault)"),
    "audit": (cmd_audit, "the audit trail: who did what to which record, and whether its "
                         "chain holds"),
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
        if name == "blank":
            _blank_arguments(p)
            continue
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
        if name == "verify":
            p.add_argument(
                "--backup",
                type=Path,
                metavar="FILE",
                help="also check that the audit log continues the one in this backup",
            )
        if name == "backup":
            p.add_argument(
                "--out",
                type=Path,
                required=True,
                metavar="FILE|FOLDER",
                help="a new file, or a folder (a dated name is chosen there)",
            )
            p.add_argument(
                "--keep",
                type=int,
                metavar="N",
                help="in a folder, keep the newest N backups of this vault (default 10)",
            )
        if name == "restore":
            p.add_argument(
                "--from",
                dest="source",
                type=Path,
                required=True,
                metavar="FILE",
                help="the backup to restore (its passphrase is asked for)",
            )
        if name == "rekey":
            p.add_argument(
                "--new-passphrase-file",
                metavar="FILE",
                help=f"read the new passphrase from this file (first line); else "
                     f"${NEW_PASSPHRASE_ENV} or a prompt (typed twice)",
            )
        if name == "export":
            p.add_argument(
                "--out",
                type=Path,
                required=True,
                metavar="FOLDER",
                help="a new (or empty) folder; the export in it is NOT encrypted",
            )
            p.add_argument(
                "--include-private-notes",
                action="store_true",
                help="include private process notes (left out unless asked for)",
            )
        if name == "search":
            p.add_argument("words", help='the words to find, each in any of its forms '
                           '(sleep finds sleeping): calm* matches the start of a word, '
                           '"calm place" a phrase')
            p.add_argument("--json", action="store_true",
                           help="one JSON document (keys documented in the README)")
            p.add_argument("--private", action="store_true",
                           help="search the private process notes too (left out otherwise: "
                           "what is printed may be kept or passed on)")
            p.add_argument("--limit", type=int, default=200, metavar="N",
                           help="at most N results, the best first (default 200)")
        if name == "audit":
            _audit_arguments(p)
        if name == "waiting":
            p.add_argument("--json", action="store_true",
                           help="one JSON document (keys documented in the README)")
        if name in ("measures", "targets", "parts"):
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
        if name == "report":
            _report_arguments(p)
        if name == "parts":
            p.add_argument(
                "--at",
                metavar="DATE",
                help="the map as it stood on DATE (YYYY-MM-DD): the last one a signed IFS "
                     "note kept on or before it",
            )
    return parser


def _blank_arguments(p: argparse.ArgumentParser) -> None:
    # Checked by cmd_blank, not by choices=: every command builds this parser, and the
    # instruments are not read for the others.
    p.add_argument("--instrument", required=True, metavar="ID",
                   help="the questionnaire, by its id, e.g. phq9 (another is answered with "
                        "the ones there are)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--practice", metavar="NAME", help="the practice's name for the header")


def _audit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--client", metavar="RECORD",
                   help="only this client's events, by record number, e.g. C-0001")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="the first day, YYYY-MM-DD, a local calendar day (default: the "
                        "oldest event)")
    p.add_argument("--to", dest="date_to", metavar="DATE",
                   help="the last day, YYYY-MM-DD, included (default: the newest event)")
    p.add_argument("--limit", type=int, default=AUDIT_TRAIL_LIMIT, metavar="N",
                   help=f"at most N events, the newest first (default {AUDIT_TRAIL_LIMIT:,})")
    p.add_argument("--json", action="store_true",
                   help="one JSON document (keys documented in the README)")


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--client", required=True, metavar="RECORD",
                   help="the client's record number, e.g. C-0001")
    p.add_argument("--kind", choices=REPORT_KINDS.codes, default="progress",
                   help="; ".join(f"{t.code}: the {t.label.lower()}" for t in REPORT_KINDS)
                        + " (default: progress)")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="first day of the period, YYYY-MM-DD (default: the start of the "
                        "latest course of care)")
    p.add_argument("--to", dest="date_to", metavar="DATE",
                   help="last day of the period, YYYY-MM-DD (default: today)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--password-file", metavar="FILE",
                   help="protect the PDF (AES-256) with the first line of this file")
    p.add_argument("--sections", metavar="LIST",
                   help="comma-separated sections of a progress report (default: all of "
                        "them)")
    p.add_argument("--summaries", action="store_true",
                   help="one line per session instead of each note in full")
    p.add_argument("--drafts", action="store_true", help="include unsigned drafts, marked")
    p.add_argument("--private", action="store_true",
                   help="include private process notes (left out by default)")
    p.add_argument("--practice", metavar="NAME", help="the practice's name for the header")
    p.add_argument("--comment-file", metavar="FILE",
                   help="the therapist's comment for a prescriber's summary")
    p.add_argument("--note", metavar="DATE",
                   help="with --kind note: the date of the signed note to copy, YYYY-MM-DD")
    p.add_argument("--modality", choices=MODALITIES.codes,
                   help="with --note: the kind of note, when that day has several")


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
