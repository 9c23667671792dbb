"""Export: the whole practice as plain JSON and one CSV per table, for the therapist's own
records or a move to another system.

This is the one place the application writes the record in plaintext, and only into the
folder the person names (created 0700, its files 0600). The format is documented in
resources/export-format.md, which goes into the folder with the data. Private
process notes are left out unless asked for.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import stat
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, select

from models import audit, migrations
from models.dto import EXPORT_FORMAT_NAME, EXPORT_WARNING, ExportReport
from models.entities import Base
from models.safekeeping import files
from models.safekeeping.progress import Progress
from models.services import clinicians
from models.templates.definitions import UnknownTemplateError
from models.templates.loading import load_templates
from models.templates.validation import strip_private
from models.vault import (
    Vault,
    VaultExistsError,
    VaultNotFoundError,
    VaultStorageError,
    as_vault_error,
)

EXPORT_FORMAT = "integration-workstation-export"
EXPORT_FORMAT_VERSION = 1
README_NAME = "README-NOT-ENCRYPTED.txt"
DOCUMENT_NAME = "practice.json"


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times as ISO 8601 text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _cell(value: Any, *, is_json: bool) -> str:
    """A value as a CSV cell: empty for null, true/false, nested JSON as JSON text."""
    if value is None:
        return ""
    if is_json:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_plain(value))


def _new_file(path: Path, data: bytes) -> str:
    """Write a new 0600 file (never replacing one); returns its SHA-256."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return hashlib.sha256(data).hexdigest()


def _prepare_folder(out: Path) -> bool:
    """Create `out` 0700, or accept it if it is an empty folder; True if created here."""
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise VaultExistsError(
                f"{out.name} exists and is not a folder. Name a new folder for the export."
            )
        if any(out.iterdir()):
            raise VaultExistsError(
                f"The folder {out.name} is not empty. Name a new (or empty) folder for the "
                "export, so that nothing in it is overwritten."
            )
        return False
    if not out.parent.is_dir():
        raise VaultNotFoundError(
            f"The folder that should hold {out.name} does not exist. Choose an existing one."
        )
    with files.private_umask():
        out.mkdir(mode=0o700)
    return True


def _note_content(row: Mapping[str, Any], include_private: bool) -> tuple[Any, bool]:
    """(content to export, whether it was withheld)."""
    content = row["content"]
    if include_private or not isinstance(content, dict):
        return content, False
    try:
        template = load_templates().get(row["template_id"], row["template_version"])
    except UnknownTemplateError:
        return None, True
    return strip_private(template, content), False


def export_practice(vault: Vault, out: Path, *, include_private: bool = False,
                    progress: Callable[[float], None] | None = None,
                    now: dt.datetime | None = None) -> ExportReport:
    """Write the practice into the new (or empty) folder `out`.

    Everything is read in one consistent state of the vault. If anything fails, the files
    written so far are removed again (and the folder, if it was made here).
    """
    out = Path(out)
    step = Progress(progress)
    exported_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    created = _prepare_folder(out)
    written: list[Path] = []
    try:
        document, csv_files, withheld = _read(vault, include_private, step)
        readme = out / README_NAME
        _new_file(readme, (EXPORT_WARNING + f"\n\nThe format is described in {EXPORT_FORMAT_NAME}, "
                           "beside this file.\n").encode())
        written.append(readme)
        described = out / EXPORT_FORMAT_NAME
        _new_file(described, (resources.files("resources") / EXPORT_FORMAT_NAME).read_bytes())
        written.append(described)
        listing = {}
        for name, data, rows in csv_files:
            path = out / name
            listing[name] = {"rows": rows, "sha256": _new_file(path, data)}
            written.append(path)
        document = {
            "format": EXPORT_FORMAT,
            "format_version": EXPORT_FORMAT_VERSION,
            "exported_at": exported_at.isoformat() + "Z",
            "warning": EXPORT_WARNING,
            "private_notes": "included" if include_private else "left out",
            "withheld_note_ids": sorted(withheld),
            **document,
            "files": listing,
        }
        path = out / DOCUMENT_NAME
        _new_file(path, json.dumps(document, ensure_ascii=False, indent=1,
                                   sort_keys=False).encode("utf-8"))
        written.append(path)
        files.fsync_folder(out)
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()
        if isinstance(exc, OSError):
            raise VaultStorageError(
                f"The export could not be written into {out.name} "
                f"({exc.strerror or type(exc).__name__}); what was written was removed."
            ) from None
        raise
    note = _record(vault, include_private)
    step.to(1.0)
    return ExportReport(folder=out, files=tuple(written),
                        tables=len(csv_files), rows=sum(r for _n, _d, r in csv_files),
                        private_notes_included=include_private,
                        withheld_note_ids=tuple(sorted(withheld)), note=note)


def _read(vault: Vault, include_private: bool, step: Progress,
          ) -> tuple[dict[str, Any], list[tuple[str, bytes, int]], set[int]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    csv_files: list[tuple[str, bytes, int]] = []
    withheld: set[int] = set()
    sorted_tables: list[Table] = list(Base.metadata.sorted_tables)
    with vault.snapshot() as session:
        revision = migrations.current_revision(session.connection())
        for index, table in enumerate(sorted_tables):
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            columns = [c.name for c in table.columns]
            rows = [dict(r) for r in session.execute(
                select(table).order_by(*table.primary_key.columns)).mappings()]
            if table.name == "note":
                for row in rows:
                    row["content"], hidden = _note_content(row, include_private)
                    if hidden:
                        withheld.add(row["id"])
            tables[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row[c], is_json=c in json_columns) for c in columns])
            csv_files.append((f"{table.name}.csv", buffer.getvalue().encode("utf-8"),
                              len(rows)))
            step.to(0.9 * (index + 1) / len(sorted_tables))
    header = tables.get("vault_info", [{}])
    document = {
        "schema_revision": revision,
        "vault_uuid": header[0].get("vault_uuid") if header else None,
        "tables": tables,
    }
    return document, csv_files, withheld


def _record(vault: Vault, include_private: bool) -> str:
    """An export is an event in the record's life: note it in the audit log. Returns why
    it could not be, if it could not (the export itself is complete either way)."""
    if vault.read_only:
        return f"the vault is open read-only ({vault.read_only_because}), so the export is " \
               "not in its audit log (the export itself is complete)"
    try:
        with vault.transaction() as session:
            audit.record(session, "vault.export", actor_id=clinicians.owner_id(session),
                         detail="private_notes=" + (
                             "included" if include_private else "left_out"))
    except Exception as exc:
        translated = as_vault_error(exc, vault.path)
        if translated is None:
            raise
        return f"the export could not be entered in the audit log: {translated}"
    return ""
