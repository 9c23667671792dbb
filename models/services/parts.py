"""The IFS parts registry, relations between parts, status history and map snapshots."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.batching import SessionMemo
from models.clinical.parts_map import part_type_problem, place_part
from models.dto import (
    MapPartDTO,
    MapRelationDTO,
    MapSnapshotDTO,
    PartDTO,
    PartRelationDTO,
)
from models.entities import (
    Client,
    IfsPart,
    PartRelation,
    PartsMapSnapshot,
    PartStatusChange,
)
from models.errors import DomainError, NotFoundError, ValidationError
from models.inputs import PartInput, relation_problems, validate_part
from models.services import convert, search
from models.services.rows import insert_rows, write_changes, write_new
from models.vocabulary import DIRECTED_RELATIONS

# The editable description of a part (its place on the map moves separately).
_DESCRIPTION = tuple(f.name for f in fields(PartInput)
                     if f.name not in ("map_x", "map_y", "first_seen", "status"))
# How far from Self a part may be put, in map units: far beyond any sensible map, and
# a guard against a position that no view could show.
MAP_LIMIT = 100_000.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- a batch's record


@dataclass
class _Record:
    """A client's part and relation rows (the session's own objects, so a change made to
    one is seen here too), read from the vault the first time a block asks, then kept as
    this service adds to them."""

    parts: dict[int, list[IfsPart]] = field(default_factory=dict)  # client -> by id
    relations: dict[int, list[PartRelation]] = field(default_factory=dict)  # client -> by id


_Row = TypeVar("_Row", IfsPart, PartRelation)


def _client_rows(session: Session, entity: type[_Row], kept: dict[int, list[_Row]] | None,
                 client_id: int) -> list[_Row]:
    """Every row of the client's (removed parts too), by id: as a block keeps them (`kept`,
    the memo's parts or relations), else read."""
    if kept is not None and client_id in kept:
        return kept[client_id]
    rows = list(session.scalars(select(entity).where(entity.client_id == client_id)
                                .order_by(entity.id)))
    if kept is not None:
        kept[client_id] = rows
    return rows


def _part_rows(session: Session, client_id: int) -> list[IfsPart]:
    """Every part of the client, removed ones too, by id."""
    memo = _MEMO.of(session)
    return _client_rows(session, IfsPart, memo.parts if memo else None, client_id)


def _relation_rows(session: Session, client_id: int) -> list[PartRelation]:
    """Every relation of the client, by id."""
    memo = _MEMO.of(session)
    return _client_rows(session, PartRelation, memo.relations if memo else None, client_id)


def _kept(session: Session, row: IfsPart | PartRelation) -> None:
    """A part or relation this service wrote, as a block's record now holds it."""
    record = _MEMO.of(session)
    kept = None if record is None else (
        record.parts if isinstance(row, IfsPart) else record.relations).get(row.client_id)
    if kept is not None:
        kept.append(row)  # type: ignore[arg-type]  # the list of the row's own kind


def _forget_changed(session: Session, _context: Any, _instances: Any) -> None:
    """A part or relation added or deleted past this service's own steps: read afresh."""
    record = _MEMO.of(session)
    if record is not None and any(isinstance(o, IfsPart | PartRelation)
                                  for o in (*session.new, *session.deleted)):
        record.parts.clear()
        record.relations.clear()


# What a `batched` block has read of the record (session.info["parts_batch_record"]).
_MEMO = SessionMemo("parts_batch_record", _Record, _forget_changed)


def batched(session: Session) -> AbstractContextManager[None]:
    """Many parts, relations and map snapshots written together (the demo practice, an
    import): each client's parts and relations are read once, then kept as written here.
    Nested blocks belong to the outermost one."""
    return _MEMO.batched(session)


def _load(session: Session, part_id: int) -> IfsPart:
    row = session.get(IfsPart, part_id)
    if row is None:
        raise NotFoundError(f"Part #{part_id} does not exist in this vault.")
    return row


def _client_part(session: Session, client_id: int, part_id: int) -> IfsPart:
    part = session.get(IfsPart, part_id)
    if part is None or part.client_id != client_id:
        raise NotFoundError(f"Part #{part_id} is not one of this client's parts.")
    return part


def create_part(
    session: Session, client_id: int, data: PartInput, *, today: dt.date,
    actor_id: int | None = None,
) -> PartDTO:
    """A new part; without a position it is placed by its type (exiles further out)."""
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_part(data)
    if problems:
        raise ValidationError(problems)
    values = {f.name: getattr(data, f.name) for f in fields(PartInput)}
    values["name"] = data.name.strip()
    values["first_seen"] = data.first_seen or today
    if data.map_x is None or data.map_y is None:
        taken = [(p.map_x, p.map_y) for p in list_parts(session, client_id)]
        values["map_x"], values["map_y"] = place_part(data.part_type, taken)
    row = IfsPart(client_id=client_id, **values)
    if _MEMO.of(session) is not None:
        _part_rows(session, client_id)  # read before the new part is held (a read writes it)
    write_new(session, row)
    _kept(session, row)
    search.index_part(session, row)
    audit.record(session, "part.create", entity="ifs_part", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id)
    return convert.part(row)


def update_part(
    session: Session, part_id: int, data: PartInput, *, today: dt.date,
    actor_id: int | None = None,
) -> PartDTO:
    """Change a part's description; a new status goes into its history, by hand."""
    row = _load(session, part_id)
    problems = validate_part(data)
    if not problems and data.part_type != row.part_type:
        every = {p.id: p for p in _part_rows(session, row.client_id)}
        problem = part_type_problem(
            row.id, data.part_type, _relation_rows(session, row.client_id), every,
            off_map={pid for pid, p in every.items() if p.removed_at is not None})
        if problem:
            problems["part_type"] = problem
    if problems:
        raise ValidationError(problems)
    changed = []
    for name in _DESCRIPTION:
        value = getattr(data, name)
        value = value.strip() if name == "name" else value
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    if data.first_seen is not None and data.first_seen != row.first_seen:
        row.first_seen = data.first_seen
        changed.append("first_seen")
    if data.status != row.status:
        change_status(session, row, data.status, today, note_id=None)
        changed.append("status")
    session.flush()
    if changed:
        audit.record(session, "part.update", entity="ifs_part", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id,
                     detail="fields=" + ",".join(changed))
    return convert.part(row)


def move_parts(
    session: Session, client_id: int, positions: Mapping[int, tuple[float, float]], *,
    actor_id: int | None = None,
) -> list[PartDTO]:
    """Put parts at new places on the map (one drag may move several)."""
    rows = []
    for part_id, (x, y) in positions.items():
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > MAP_LIMIT:
            raise ValidationError({"position": "That place is off the map; move the part "
                                               "closer to Self."})
        row = _client_part(session, client_id, part_id)
        row.map_x, row.map_y = float(x), float(y)
        rows.append(row)
    session.flush()
    if rows:
        audit.record(session, "part.move", entity="ifs_part",
                     entity_id=rows[0].id if len(rows) == 1 else None, client_id=client_id,
                     actor_id=actor_id, detail=f"parts={len(rows)}")
    return [convert.part(r) for r in rows]


def remove_part(
    session: Session, part_id: int, *, actor_id: int | None = None
) -> PartDTO:
    """Take a part off the map. It is kept (signed notes, snapshots and its history name
    it) with its relations, and `restore_part` puts it back as it was."""
    row = _load(session, part_id)
    if row.removed_at is None:
        row.removed_at = _utcnow()
        session.flush()
        audit.record(session, "part.remove", entity="ifs_part", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id)
    return convert.part(row)


def restore_part(
    session: Session, part_id: int, *, actor_id: int | None = None
) -> PartDTO:
    row = _load(session, part_id)
    if row.removed_at is not None:
        row.removed_at = None
        session.flush()
        audit.record(session, "part.restore", entity="ifs_part", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id)
    return convert.part(row)


def list_parts(
    session: Session, client_id: int, *, include_removed: bool = False
) -> list[PartDTO]:
    return [convert.part(r) for r in _part_rows(session, client_id)
            if include_removed or r.removed_at is None]


def _ordered(kind: str, from_part_id: int, to_part_id: int) -> tuple[int, int]:
    """Undirected relations are stored once, lower id first."""
    if kind in DIRECTED_RELATIONS:
        return from_part_id, to_part_id
    low, high = sorted((from_part_id, to_part_id))
    return low, high


def _find_relation(session: Session, kind: str, from_part_id: int,
                   to_part_id: int) -> PartRelation | None:
    return session.scalars(select(PartRelation).where(
        PartRelation.kind == kind, PartRelation.from_part_id == from_part_id,
        PartRelation.to_part_id == to_part_id)).first()


def add_relation(
    session: Session, client_id: int, kind: str, from_part_id: int, to_part_id: int,
    *, actor_id: int | None = None,
) -> PartRelationDTO:
    problems = relation_problems(kind, from_part_id, to_part_id, {
        p.id: p for p in _part_rows(session, client_id)})
    if problems:
        raise ValidationError(problems)
    for part_id in (from_part_id, to_part_id):
        if _client_part(session, client_id, part_id).removed_at is not None:
            raise DomainError("One of these parts has been removed from the map; put it "
                              "back (Undo) before relating it.")
    from_part_id, to_part_id = _ordered(kind, from_part_id, to_part_id)
    # Both parts are the client's, so any relation between them is the client's too.
    if any((r.kind, r.from_part_id, r.to_part_id) == (kind, from_part_id, to_part_id)
           for r in _relation_rows(session, client_id)):
        raise DomainError("These two parts already have that relation.")
    row = PartRelation(client_id=client_id, kind=kind, from_part_id=from_part_id,
                       to_part_id=to_part_id)
    write_new(session, row)
    _kept(session, row)
    audit.record(session, "part.relate", entity="part_relation", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id, detail=f"kind={kind}")
    return convert.relation(row)


def remove_relation(
    session: Session, client_id: int, kind: str, from_part_id: int, to_part_id: int,
    *, actor_id: int | None = None,
) -> PartRelationDTO:
    """Delete a relation (it has no history of its own; the snapshots keep the old map)."""
    from_part_id, to_part_id = _ordered(kind, from_part_id, to_part_id)
    row = _find_relation(session, kind, from_part_id, to_part_id)
    if row is None or row.client_id != client_id:
        raise NotFoundError("These two parts have no such relation (it may have been "
                            "removed already).")
    removed = convert.relation(row)
    session.delete(row)
    session.flush()
    audit.record(session, "part.unrelate", entity="part_relation", entity_id=removed.id,
                 client_id=client_id, actor_id=actor_id, detail=f"kind={kind}")
    return removed


def list_relations(session: Session, client_id: int) -> list[PartRelationDTO]:
    """The relations between parts that are on the map."""
    return _relations_among(session, client_id, list_parts(session, client_id))


def _relations_among(session: Session, client_id: int,
                     on_map: list[PartDTO]) -> list[PartRelationDTO]:
    ids = {p.id for p in on_map}
    return [convert.relation(r) for r in _relation_rows(session, client_id)
            if r.from_part_id in ids and r.to_part_id in ids]


def change_status(
    session: Session, part: IfsPart, new_status: str, on: dt.date, *, note_id: int | None
) -> None:
    """A new status for the part, kept in its history: written at once as plain
    statements (models.services.rows), as signing files it for many notes."""
    insert_rows(session, PartStatusChange, [
        {"part_id": part.id, "note_id": note_id, "changed_on": on,
         "old_status": part.status, "new_status": new_status}])
    write_changes(session, part, {"status": new_status})


def map_content(session: Session, client_id: int) -> dict[str, Any]:
    """The parts map as plain data: parts with positions and status, and the relations."""
    on_map = list_parts(session, client_id)
    return {
        "parts": [
            {"id": p.id, "name": p.name, "type": p.part_type, "status": p.status,
             "trust_in_self": p.trust_in_self, "x": p.map_x, "y": p.map_y}
            for p in on_map
        ],
        "relations": [
            {"kind": r.kind, "from": r.from_part_id, "to": r.to_part_id}
            for r in _relations_among(session, client_id, on_map)
        ],
    }


def take_snapshot(
    session: Session, client_id: int, on: dt.date, *, note_id: int | None
) -> PartsMapSnapshot:
    snapshot = PartsMapSnapshot(client_id=client_id, note_id=note_id, taken_on=on,
                                content=map_content(session, client_id))
    write_new(session, snapshot)
    return snapshot


def _number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else default


def snapshot_dto(row: PartsMapSnapshot) -> MapSnapshotDTO:
    """Read a snapshot's stored content; a key an older version did not write is empty."""
    content = row.content if isinstance(row.content, dict) else {}
    map_parts = []
    for p in content.get("parts") or []:
        if not isinstance(p, dict) or not isinstance(p.get("id"), int):
            continue
        trust = p.get("trust_in_self")
        map_parts.append(MapPartDTO(
            id=p["id"], name=str(p.get("name") or f"Part #{p['id']}"),
            part_type=str(p.get("type") or "unknown"), status=str(p.get("status") or ""),
            trust_in_self=trust if isinstance(trust, int) else None,
            x=_number(p.get("x")), y=_number(p.get("y"))))
    relations = [
        MapRelationDTO(str(r["kind"]), r["from"], r["to"])
        for r in content.get("relations") or []
        if isinstance(r, dict) and isinstance(r.get("from"), int)
        and isinstance(r.get("to"), int) and r.get("kind")
    ]
    return MapSnapshotDTO(id=row.id, client_id=row.client_id, note_id=row.note_id,
                          taken_on=row.taken_on, parts=tuple(map_parts),
                          relations=tuple(relations))


def list_snapshots(session: Session, client_id: int) -> list[MapSnapshotDTO]:
    """Every map snapshot of the client, oldest first."""
    rows = session.scalars(
        select(PartsMapSnapshot).where(PartsMapSnapshot.client_id == client_id)
        .order_by(PartsMapSnapshot.taken_on, PartsMapSnapshot.id))
    return [snapshot_dto(r) for r in rows]


def snapshot_on(session: Session, client_id: int, on: dt.date) -> MapSnapshotDTO | None:
    """The map as it stood on a date: the last snapshot taken on or before it."""
    row = session.scalars(
        select(PartsMapSnapshot)
        .where(PartsMapSnapshot.client_id == client_id, PartsMapSnapshot.taken_on <= on)
        .order_by(PartsMapSnapshot.taken_on.desc(), PartsMapSnapshot.id.desc())
    ).first()
    return snapshot_dto(row) if row is not None else None
