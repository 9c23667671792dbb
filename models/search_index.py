"""The full-text index inside the vault: SQLite FTS5, the only SQLite-only SQL beside vault.py.

One row per searchable record (a note, an addendum, a target, a part), keyed by a rowid
that encodes the record's kind and id, so a record is replaced or removed by its key
without a scan. The text lives in the encrypted vault like everything else; nothing is
indexed anywhere outside it. `body` holds what any note may show; `private` holds private
process notes, kept apart so a search can leave them out (see models.services.search).

What goes into a row (the text fields of a template, an addendum's reason and text, ...)
is decided by models.services.search; this module only stores, removes and queries rows.
The table is made by the migrations (0006, made again by 0010): its words are kept by their
English stem (FTS5's Porter tokenizer in front of unicode61), so a word finds its other
endings (sleep finds sleeping and sleeps); a word of another script passes as unicode61 cut it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, text

from models.inputs import SearchTerm
from models.search_text import HIT_END, HIT_START, without_vowel_marks

TABLE: Final = "search_index"
ELLIPSIS: Final = "…"
SNIPPET_TOKENS: Final = 12

# The kinds of record in the index, and the code each has in the low bits of a rowid.
KINDS: Final[dict[str, int]] = {"note": 1, "addendum": 2, "target": 3, "part": 4}
_KIND_OF_CODE: Final = {code: kind for kind, code in KINDS.items()}
_KIND_BITS: Final = 8


def is_index_table(name: str | None) -> bool:
    """The index and the shadow tables FTS5 keeps for it (not entities: migrations and
    schema comparisons leave them alone)."""
    return name is not None and (name == TABLE or name.startswith(f"{TABLE}_"))


def rowid(kind: str, ref_id: int) -> int:
    return ref_id * _KIND_BITS + KINDS[kind]


def key_of(row_id: int) -> tuple[str, int]:
    """(kind, id) of an index rowid."""
    return _KIND_OF_CODE[row_id % _KIND_BITS], row_id // _KIND_BITS


def put(conn: Connection, kind: str, ref_id: int, client_id: int, body: str,
        private: str = "") -> None:
    """Store (or replace) one record's text; a record with no text is removed."""
    put_many(conn, [(kind, ref_id, client_id, body, private)])


# One record's row: (kind, ref_id, client_id, body, private).
Entry = tuple[str, int, int, str, str]


def put_many(conn: Connection, entries: Sequence[Entry]) -> None:
    """`put` for each entry in turn, the stores between two removals in one statement."""
    stores: list[dict[str, object]] = []
    for kind, ref_id, client_id, body, private in entries:
        key = rowid(kind, ref_id)
        if body.strip() or private.strip():
            stores.append({"key": key, "body": without_vowel_marks(body),
                           "private": without_vowel_marks(private), "client_id": client_id})
            continue
        _store(conn, stores)
        stores = []
        conn.execute(_DELETE, {"key": key})
    _store(conn, stores)


_STORE = text(f"INSERT OR REPLACE INTO {TABLE} (rowid, body, private, client_id) "
              "VALUES (:key, :body, :private, :client_id)")
_DELETE = text(f"DELETE FROM {TABLE} WHERE rowid = :key")


def _store(conn: Connection, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(_STORE, rows)


def remove(conn: Connection, kind: str, ref_ids: Sequence[int]) -> None:
    for ref_id in ref_ids:
        conn.execute(_DELETE, {"key": rowid(kind, ref_id)})


def clear(conn: Connection) -> None:
    conn.execute(text(f"DELETE FROM {TABLE}"))


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(terms: Sequence[SearchTerm], *, include_private: bool) -> str:
    """The FTS5 query for the terms (all must match). Every word is quoted, so nothing a
    person types can be read as FTS5 syntax; a prefix term keeps its `*` outside."""
    parts = [_quoted(without_vowel_marks(t.text)) + ("*" if t.prefix else "") for t in terms]
    expression = " AND ".join(parts)
    return expression if include_private else f"body : ({expression})"


@dataclass(frozen=True)
class IndexHit:
    kind: str
    ref_id: int
    client_id: int
    snippet: str  # with HIT_START / HIT_END around matched words
    in_private: bool  # the words were found in private process notes only


def query(conn: Connection, terms: Sequence[SearchTerm], *, include_private: bool,
          limit: int) -> list[IndexHit]:
    """The best matches first (FTS5's bm25 rank), at most `limit`."""
    expression = match_expression(terms, include_private=include_private)
    snippet = (f"snippet({TABLE}, {{column}}, '{HIT_START}', '{HIT_END}', '{ELLIPSIS}', "
               f"{SNIPPET_TOKENS})")
    private_snippet = snippet.format(column=1) if include_private else "''"
    rows = conn.execute(
        text(f"SELECT rowid, client_id, {snippet.format(column=0)}, {private_snippet} "
             f"FROM {TABLE} WHERE {TABLE} MATCH :expression ORDER BY rank LIMIT :limit"),
        {"expression": expression, "limit": limit})
    hits = []
    for row_id, client_id, body, private in rows:
        kind, ref_id = key_of(int(row_id))
        in_private = HIT_START not in body and HIT_START in private
        hits.append(IndexHit(kind, ref_id, int(client_id), private if in_private else body,
                             in_private))
    return hits
