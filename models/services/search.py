"""Search across every note: what is indexed, keeping the index current, and the search.

What a note contributes is read from its template: every text and long-text field, and
the text columns of its repeating groups (a set's "client reports"); ratings, choices and
dates are not words to look for. An addendum contributes its reason and text, a target
its label and definition, a part its name and descriptions.

Private process notes are indexed apart (models.search_index, column `private`). They are
the therapist's own words in the therapist's own encrypted vault, so the search window
finds them and marks such a result "private notes"; a search for anything that leaves
the window (the command line's output, an export, a report) leaves them out unless the
therapist asks. The index is updated in the same transaction as the record: as a draft
is saved, a note signed or discarded, an addendum added, a target or part written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from models import search_index
from models.batching import SessionBatch
from models.dto import SearchHit, SearchResults
from models.entities import Addendum, Client, IfsPart, Note, TargetMemory
from models.errors import ValidationError
from models.inputs import search_terms, validate_search
from models.templates.definitions import FieldKind, Template, UnknownTemplateError
from models.templates.loading import load_templates
from models.vocabulary import ADDENDUM_KINDS

TEXT_KINDS: Final = frozenset({FieldKind.TEXT, FieldKind.LONG_TEXT})
TARGET_FIELDS: Final = ("label", "image", "negative_cognition", "positive_cognition",
                        "emotions", "body_location")
PART_FIELDS: Final = ("name", "role", "fears", "burdens_personal", "burdens_legacy",
                      "age_appearance", "body_location")
ADDENDUM_FIELDS: Final = ("reason", "text")
DEFAULT_LIMIT: Final = 200


# --------------------------------------------------------------------------- what is indexed


def _texts(values: Iterable[Any]) -> str:
    return "\n".join(v.strip() for v in values if isinstance(v, str) and v.strip())


def note_text(template: Template, content: Mapping[str, Any]) -> tuple[str, str]:
    """(searchable text, private text) of a note's content, by its template's fields."""
    body: list[Any] = []
    private: list[Any] = []
    for f in template.fields:
        value = content.get(f.id)
        into = private if f.private else body
        if f.kind in TEXT_KINDS:
            into.append(value)
        elif f.kind is FieldKind.GROUP and isinstance(value, list):
            columns = [c.id for c in f.columns if c.kind in TEXT_KINDS]
            into.extend(row.get(c) for row in value if isinstance(row, dict) for c in columns)
    return _texts(body), _texts(private)


def _template(template_id: str, version: int) -> Template | None:
    try:
        return load_templates().get(template_id, version)
    except UnknownTemplateError:
        return None  # written by a newer version: nothing can be said of its fields


def _note_entry(note_id: int, client_id: int, template_id: str, version: int,
                content: Mapping[str, Any]) -> search_index.Entry:
    template = _template(template_id, version)
    body, private = note_text(template, content) if template is not None else ("", "")
    return ("note", note_id, client_id, body, private)


# --------------------------------------------------------------------------- keeping it current

def _write(session: Session, entries: list[search_index.Entry]) -> None:
    search_index.put_many(session.connection(), entries)


# A large unit of work (the demo practice, an import) indexes its records together:
# `with search.batched(session): ...`. Each record's entry is the one it gets alone, in
# the order written; a search or a removal inside the block writes them first.
_BATCH: SessionBatch[search_index.Entry] = SessionBatch("search_index_pending", _write)
_put = _BATCH.add
batched = _BATCH.batched
write_pending = _BATCH.write_pending


def index_note(session: Session, row: Note) -> None:
    _put(session, _note_entry(row.id, row.client_id, row.template_id, row.template_version,
                              row.content))


def forget_note(session: Session, note_id: int) -> None:
    """A discarded draft leaves the index (a draft has no addenda)."""
    write_pending(session)
    search_index.remove(session.connection(), "note", [note_id])


def index_addendum(session: Session, row: Addendum, client_id: int) -> None:
    _put(session, ("addendum", row.id, client_id,
                   _texts(getattr(row, name) for name in ADDENDUM_FIELDS), ""))


def index_target(session: Session, row: TargetMemory) -> None:
    _put(session, ("target", row.id, row.client_id,
                   _texts(getattr(row, name) for name in TARGET_FIELDS), ""))


def index_part(session: Session, row: IfsPart) -> None:
    _put(session, ("part", row.id, row.client_id,
                   _texts(getattr(row, name) for name in PART_FIELDS), ""))


def rebuild(conn: Connection) -> int:
    """Index every record again from the tables (the migration that adds the index runs
    this for an existing vault). Plain SQL on the columns it needs, so it does not depend
    on the entities of a later version. Returns how many records were read."""
    search_index.clear(conn)
    count = 0
    for note_id, client_id, template_id, version, content in conn.execute(text(
            "SELECT id, client_id, template_id, template_version, content FROM note")):
        stored = json.loads(content) if isinstance(content, str) else (content or {})
        search_index.put_many(conn, [_note_entry(note_id, client_id, template_id, version,
                                                 stored)])
        count += 1
    for addendum_id, client_id, *values in conn.execute(text(
            "SELECT a.id, n.client_id, a.reason, a.text FROM addendum a "
            "JOIN note n ON n.id = a.note_id")):
        search_index.put(conn, "addendum", addendum_id, client_id, _texts(values))
        count += 1
    for kind, table, names in (("target", "target_memory", TARGET_FIELDS),
                               ("part", "ifs_part", PART_FIELDS)):
        for ref_id, client_id, *values in conn.execute(text(
                f"SELECT id, client_id, {', '.join(names)} FROM {table}")):
            search_index.put(conn, kind, ref_id, client_id, _texts(values))
            count += 1
    return count


# --------------------------------------------------------------------------- the search


def _by_id(session: Session, entity: Any, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: row for row in session.execute(
        select(*entity).where(entity[0].in_(wanted)))}


def search(session: Session, query: str, *, include_private: bool = True,
           limit: int = DEFAULT_LIMIT) -> SearchResults:
    """Every note, addendum, target and part holding all the query's terms, best first.

    A query that cannot be read raises ValidationError with a message saying what to fix
    (models.inputs.validate_search, which the search window calls as the words are typed).
    """
    problems = validate_search(query)
    if problems:
        raise ValidationError(problems)
    terms = search_terms(query)
    if not terms:
        return SearchResults(query, (), False)
    write_pending(session)
    found = search_index.query(session.connection(), terms,
                               include_private=include_private, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]

    def ids(kind: str) -> list[int]:
        return [h.ref_id for h in found if h.kind == kind]

    addenda = _by_id(session, (Addendum.id, Addendum.note_id, Addendum.kind),
                     ids("addendum"))
    notes = _by_id(session, (Note.id, Note.template_id, Note.session_date, Note.status),
                   ids("note") + [a.note_id for a in addenda.values()])
    targets = _by_id(session, (TargetMemory.id, TargetMemory.label,
                               TargetMemory.identified_on), ids("target"))
    parts = _by_id(session, (IfsPart.id, IfsPart.name, IfsPart.first_seen), ids("part"))
    clients = _by_id(session, (Client.id, Client.record_number, Client.name, Client.status),
                     (h.client_id for h in found))
    hits = []
    for hit in found:
        client = clients.get(hit.client_id)
        note_id: int | None = None
        day: dt.date | None = None
        title = ""
        if hit.kind == "note":
            note_id = hit.ref_id
        elif hit.kind == "addendum" and hit.ref_id in addenda:
            addendum = addenda[hit.ref_id]
            note_id, title = addendum.note_id, ADDENDUM_KINDS.label(addendum.kind)
        elif hit.kind == "target" and hit.ref_id in targets:
            title, day = targets[hit.ref_id].label, targets[hit.ref_id].identified_on
        elif hit.kind == "part" and hit.ref_id in parts:
            title, day = parts[hit.ref_id].name, parts[hit.ref_id].first_seen
        note = notes.get(note_id) if note_id is not None else None
        if client is None or (note_id is not None and note is None):
            continue  # the index runs ahead of a record removed in this transaction
        hits.append(SearchHit(
            kind=hit.kind, ref_id=hit.ref_id, client_id=client.id,
            record_number=client.record_number, client_name=client.name,
            client_status=client.status, note_id=note_id,
            template_id=note.template_id if note is not None else None,
            day=day if day is not None else (note.session_date if note is not None else None),
            note_status=note.status if note is not None else None,
            title=title, snippet=hit.snippet, in_private=hit.in_private))
    return SearchResults(query, tuple(hits), more)
