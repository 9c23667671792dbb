"""A marker in every clinical field, then every workflow: the marker ends up in no file
but the export, nowhere in the temporary folder, the log (kept at DEBUG), the settings
folder, any exception text or any message the command line prints.

The workflows run in child processes whose temporary folder, home, settings and cache
folders all lie inside this test's own folder, so every file they could write is here to
be searched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.bad_day import run_cli

pytestmark = pytest.mark.integration

MARKER = "ZQX7MARK"
PASSPHRASE = "marker vault passphrase"
NEW = "marker vault passphrase, changed"

_WORKFLOWS = textwrap.dedent('''
    import datetime as dt, json, logging, sys
    from pathlib import Path

    root = Path(sys.argv[1]); MARK = sys.argv[2]; PASS = sys.argv[3]
    logging.basicConfig(level=logging.DEBUG, filename=str(root / "log" / "debug.log"))
    from models.templates.definitions import FieldKind
    from models.templates.loading import load_templates
    from models.templates.checks import with_reasons
    from models.inputs import (AddendumInput, ClientInput, CourseInput, CustomMeasureInput,
                               MeasureInput, PartInput, TargetInput)
    from models.errors import DomainError
    from models.vault import VaultError, create_vault
    from models.services import (care, clients, clinicians, measures, notes, parts,
                                 security, targets)
    DAY = dt.date(2026, 3, 10)
    TODAY = dt.date(2026, 11, 1)
    texts = []

    def text(name):
        return f"{MARK} {name}"

    def value(f, refs):
        k = f.kind
        if f.derived is not None:
            return None
        if k in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            return text(f.id)[: f.max_length] if f.max_length else text(f.id)
        if k == FieldKind.CHOICE:
            return f.options[0].value
        if k == FieldKind.MULTI_CHOICE:
            return [f.options[0].value]
        if k in (FieldKind.SCALE, FieldKind.INTEGER):
            lo = f.minimum if f.minimum is not None else 0
            return int((lo + (f.maximum if f.maximum is not None else lo + 10)) // 2)
        if k == FieldKind.NUMBER:
            lo = f.minimum if f.minimum is not None else 1
            return float((lo + (f.maximum if f.maximum is not None else lo + 100)) / 2)
        if k == FieldKind.DATE:
            return DAY.isoformat()
        if k == FieldKind.TIME:
            return "10:00"
        if k == FieldKind.YES_NO:
            return True
        if k == FieldKind.TARGET_REF:
            return refs["target_" + (f.target_kind or "emdr")]
        if k == FieldKind.PARTS_REF:
            return [refs["part"]]
        return [{c.id: value(c, refs) for c in f.columns if value(c, refs) is not None}
                for _ in range(max(1, f.min_rows))]

    def refused(work):
        try:
            work()
        except (DomainError, VaultError, ValueError) as exc:
            texts.append(f"{type(exc).__name__}: {exc}")
        else:
            raise AssertionError("expected a refusal")

    vault = create_vault(root / "vault" / "practice.iwvault", PASS)
    with vault.transaction() as s:
        doc = clinicians.create_clinician(s, text("clinician"), text("credentials"),
                                          text("licence"))
        security.record_unlock(s, actor_id=doc.id)
        client = clients.create_client(s, ClientInput(
            name=text("name"), preferred_name=text("preferred"), pronouns=MARK,
            contact=text("contact"), emergency_contact=text("emergency"),
            diagnoses=text("diagnoses")), actor_id=doc.id, today=TODAY)
        care.add_course(s, client.id, CourseInput("spaced", dt.date(2026, 1, 1), None,
                                                       text("goals")), actor_id=doc.id)
        refs = {"part": parts.create_part(s, client.id, PartInput(
                    name=text("part"), age_appearance=MARK, body_location=MARK, role=MARK,
                    fears=MARK, burdens_personal=MARK, burdens_legacy=MARK), today=TODAY).id}
        for kind in ("emdr", "art"):
            refs["target_" + kind] = targets.create_target(s, client.id, TargetInput(
                label=text("target"), kind=kind, found_by="float_back", image=MARK,
                negative_cognition=MARK, positive_cognition=MARK, emotions=MARK,
                body_location=MARK), today=TODAY).id
        for template_id in ("preparation", "dosing", "emdr", "art", "ifs", "general"):
            template = load_templates().latest(template_id)
            note = notes.create_note(s, client.id, template_id, author_id=doc.id,
                                     session_date=DAY, today=TODAY)
            content = {f.id: value(f, refs) for f in template.fields}
            content = {k: v for k, v in content.items() if v is not None}
            if template_id == "dosing":
                content["session_number"] = note.content["session_number"]
                content["vitals"][0]["minutes_from_dose"] = -10  # the baseline reading
                content["dissociation"] = {"instrument": "cadss6", "minutes_from_dose": 40,
                                           "answers": {"1": 2, "2": 1, "6": 2, "7": 1,
                                                       "15": 2, "22": 1}}
            if template_id == "emdr":  # a reevaluation is recorded: phase 8 with it
                content["phases_covered"] = ["3", "4", "5", "6", "7", "8"]
            notes.save_draft(s, note.id, content)
            # A warning (a vital out of the usual range) is signed past with a reason, and
            # the reason is the therapist's words: marked like every other field.
            found = notes.signing_check(s, note.id).cautions
            if found:
                notes.save_draft(s, note.id, with_reasons(
                    content, found, {c.key: text("ack " + c.check_id) for c in found}))
            signed = notes.sign_note(s, note.id, clinician_id=doc.id)
            notes.add_addendum(s, note.id, AddendumInput(
                "addendum", text("reason"), text("addendum")), author_id=doc.id)
            refused(lambda: notes.save_draft(s, signed.id, {"data": MARK}))
            refused(lambda: notes.sign_note(s, signed.id, clinician_id=doc.id))
        draft = notes.create_note(s, client.id, "general", author_id=doc.id, session_date=DAY,
                                  today=TODAY)
        notes.save_draft(s, draft.id, {"session_date": DAY.isoformat(), "data": text("draft"),
                                      "delivery": MARK})
        try:
            notes.sign_note(s, draft.id, clinician_id=doc.id)
        except DomainError as exc:
            texts.append(str(exc))
        scored = measures.record_administration(s, client.id, MeasureInput(
            "phq9", DAY, "integration", dict.fromkeys(range(1, 11), 1)), today=TODAY)
        measures.mark_entered_in_error(s, scored.administration.id, text("error reason"))
        measures.create_custom_instrument(s, CustomMeasureInput(text("instrument"), 0, 10, True))
        refused(lambda: clients.create_client(s, ClientInput(
            name=MARK + "\\x00", diagnoses=MARK + "\\ud800"), today=TODAY))
        refused(lambda: clients.create_client(s, ClientInput(name=MARK * 30), today=TODAY))
        refused(lambda: clients.create_client(s, ClientInput(name=text("again")),
                                              record_number=client.record_number.lower(),
                                              today=TODAY))
        refused(lambda: targets.create_target(s, client.id, TargetInput(
            label=MARK, kind=MARK), today=TODAY))
        refused(lambda: parts.create_part(s, client.id, PartInput(name=MARK, part_type=MARK),
                                          today=TODAY))
        refused(lambda: notes.add_addendum(s, draft.id, AddendumInput(MARK, MARK, MARK),
                                           author_id=doc.id))
        refused(lambda: measures.mark_entered_in_error(s, scored.administration.id, MARK))
    with vault.transaction() as s:
        security.record_lock(s, actor_id=doc.id, reason="manual")
    vault.close()
    (root / "exceptions.json").write_text(json.dumps(texts))
''')


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    env.update({"TMPDIR": str(root / "tmp"), "HOME": str(root / "home"),
                "XDG_CONFIG_HOME": str(root / "settings"), "XDG_CACHE_HOME": str(root / "cache"),
                "XDG_DATA_HOME": str(root / "data")})
    return env


def _found_in(data: bytes) -> bool:
    return any(MARKER.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def test_a_marker_in_every_field_leaks_nowhere_but_the_export(tmp_path: Path) -> None:
    root = tmp_path / "world"
    for folder in ("vault", "tmp", "home", "settings", "cache", "data", "log", "backups"):
        (root / folder).mkdir(parents=True)
    env = _env(root)
    made = subprocess.run([sys.executable, "-c", _WORKFLOWS, str(root), MARKER, PASSPHRASE],
                          env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    messages = [made.stdout, made.stderr]
    exceptions = json.loads((root / "exceptions.json").read_text())
    assert len(exceptions) >= 12
    vault = root / "vault" / "practice.iwvault"

    def cli(*args: str, passphrase: str = PASSPHRASE, **extra: str) -> str:
        result = run_cli(*args, passphrase=passphrase, env_extra={**env, **extra})
        assert result.returncode == 0, result.stderr
        messages.append(result.stderr)
        return result.stdout

    messages.append(cli("backup", "--vault", str(vault), "--out", str(root / "backups")))
    messages.append(cli("verify", "--vault", str(vault)))
    cli("clients", "--vault", str(vault))  # its listing is meant to show names
    messages.append(cli("export", "--vault", str(vault), "--out", str(root / "export"),
                        "--include-private-notes"))
    messages.append(cli("rekey", "--vault", str(vault), WORKSTATION_NEW_PASSPHRASE=NEW))
    backup = next((root / "backups").iterdir())
    messages.append(cli("restore", "--from", str(backup), "--vault", str(vault)))

    # The export holds the record in plaintext: the marker is there, so it was written.
    assert _found_in((root / "export" / "practice.json").read_bytes())
    assert _found_in((root / "export" / "client.csv").read_bytes())
    leaks = [str(p.relative_to(root)) for p in root.rglob("*")
             if p.is_file() and "export" not in p.relative_to(root).parts
             and p.name != "exceptions.json" and _found_in(p.read_bytes())]
    assert leaks == []
    assert (root / "log" / "debug.log").stat().st_size > 0  # the log was written, at DEBUG
    assert not [m for m in messages + exceptions if MARKER in m]
