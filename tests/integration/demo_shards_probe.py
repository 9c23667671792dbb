"""Build a demo practice in a fresh process and print what it holds, as JSON.

`python -m tests.integration.demo_shards_probe MODE CLIENTS VAULT`. A split build forks, and
a fork is safe only from a process of one thread (models.demo_shards.can_split), so it is
tried here rather than inside the test run, whose windows' threads may be alive. MODE:
- serial: one process writes every client;
- split: half of them are written by a second process;
- outgrown: split, but the first half outgrows the ids kept for it;
- failing / killed: the second process raises, or dies.

What is printed leaves out what may differ between a serial and a split build: row ids
(a note's target and parts are given by their place in the client's record) and times.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from models import audit, demo_shards
from models.demo import DemoPlan
from models.vault import create_vault

PASSPHRASE = "probe passphrase"
TODAY = dt.date(2026, 11, 1)
# The note fields that hold a target's id, and those that hold a part's.
TARGET_FIELDS = {"target", "scene", "reeval_target"}
PART_FIELDS = {"parts_worked", "main_protector", "part"}


def _by_place(value: Any, targets: dict[int, str], parts: dict[int, str]) -> Any:
    if isinstance(value, dict):
        return {k: (_ids(v, targets) if k in TARGET_FIELDS else _ids(v, parts)
                    if k in PART_FIELDS else _by_place(v, targets, parts))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_by_place(v, targets, parts) for v in value]
    return value


def _ids(value: Any, places: dict[int, str]) -> Any:
    if isinstance(value, list):
        return [_ids(v, places) for v in value]
    return places.get(value, f"unknown id {value}") if isinstance(value, int) else value


def _client(c: Connection, client_id: int) -> dict[str, Any]:
    ref = {"c": client_id}
    targets = c.execute(text("SELECT id, image FROM target_memory WHERE client_id = :c "
                             "ORDER BY id"), ref).all()
    parts = c.execute(text("SELECT id, name FROM ifs_part WHERE client_id = :c ORDER BY id"),
                      ref).all()
    target_places = {row.id: f"target {i}" for i, row in enumerate(targets)}
    part_places = {row.id: f"part {i}" for i, row in enumerate(parts)}
    notes = c.execute(text("SELECT template_id, session_date, status, content, id FROM note "
                           "WHERE client_id = :c ORDER BY id"), ref).all()
    ratings = c.execute(text(
        "SELECT r.sud, r.voc FROM target_rating r JOIN target_memory t ON t.id = r.target_id "
        "WHERE t.client_id = :c ORDER BY r.id"), ref).all()
    measures = c.execute(text(
        "SELECT m.instrument_id, m.administered_on, m.relation_to_care, (SELECT "
        "group_concat(r.value) FROM item_response r WHERE r.administration_id = m.id) "
        "FROM measure_administration m WHERE m.client_id = :c ORDER BY m.id"), ref).all()
    events = c.execute(text("SELECT action, entity FROM audit_event WHERE client_id = :c "
                            "ORDER BY id"), ref).all()
    return {
        "notes": [[n.template_id, n.session_date, n.status,
                   _by_place(json.loads(n.content), target_places, part_places)] for n in notes],
        "targets": [t.image for t in targets], "parts": [p.name for p in parts],
        "ratings": [list(r) for r in ratings], "measures": [list(m) for m in measures],
        "indexed": c.execute(text("SELECT count(*) FROM search_index WHERE client_id = :c"),
                             ref).scalar(),
        "events": [list(e) for e in events],
    }


def main(mode: str, clients: int, vault: Path) -> None:
    if mode == "outgrown":
        demo_shards.ROWS_PER_CLIENT = 1
    elif mode == "failing":
        def fail(*_args: object) -> None:
            raise ValueError("the second half went wrong")
        demo_shards._shard = fail  # type: ignore[assignment]
    elif mode == "killed":
        def die(*_args: object) -> None:
            os._exit(3)
        demo_shards._shard = die  # type: ignore[assignment]
    plan = DemoPlan(clients=clients, seed=7, today=TODAY)
    results = []
    try:
        create_vault(vault, PASSPHRASE, populate=lambda session: results.append(
            demo_shards.build_demo(session, plan, split=mode != "serial"))).close()
    except demo_shards.ShardFailed as exc:
        print(json.dumps({"failed": str(exc), "vault_left": vault.exists()}))
        return
    from models.vault import open_vault

    opened = open_vault(vault, PASSPHRASE)
    with Session(opened.engine) as session:
        c = session.connection()
        out = {
            "result": vars(results[0]),
            "chain": audit.verify_chain(session).problem or "ok",
            "anchor": audit.check_anchor(session).problem or "ok",
            "foreign_keys": len(c.exec_driver_sql("PRAGMA foreign_key_check").all()),
            "clients": {row.record_number: {"name": row.name, "born": row.date_of_birth,
                                            "status": row.status, **_client(c, row.id)}
                        for row in c.execute(text("SELECT id, record_number, name, "
                                                  "date_of_birth, status FROM client"))},
        }
    opened.close()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
