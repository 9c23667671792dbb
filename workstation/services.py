"""Wire the domain's functions into the `Services` the windows use.

ui/ may not import modules that reach SQLAlchemy, so the composition root hands them in.
Each wrapper imports its module on first use: the unlock window appears before
SQLAlchemy, Alembic and SQLCipher are loaded, and `prewarm` loads them on the worker
thread while the therapist types the passphrase.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.dto import (
    DosingSessionDTO,
    PartDTO,
    TargetDTO,
)
from ui.ports import NoteServices, Services, VaultHandle


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function that imports `module` the first time it is called, then calls `name`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _open_vault(path: Path, passphrase: str) -> VaultHandle:
    from models.vault import open_vault

    return open_vault(path, passphrase)


def _create_vault(path: Path, passphrase: str) -> VaultHandle:
    from models.vault import create_vault

    return create_vault(path, passphrase, app_version=_app_version())


def _app_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("integration-workstation")
    except metadata.PackageNotFoundError:
        return "development"
























def _list_dosing_sessions(session: Any, client_id: int) -> list[DosingSessionDTO]:
    from models.services import care

    return [d for course in care.list_courses(session, client_id) for d in course.dosing_sessions]


def _create_target(session: Any, client_id: int, *, label: str, kind: str,
                   prong: str) -> TargetDTO:
    from models.services import targets

    return targets.create_target(session, client_id,
                                 targets.TargetInput(label=label, kind=kind, prong=prong))


def _create_part(session: Any, client_id: int, *, name: str, part_type: str) -> PartDTO:
    from models.services import parts

    return parts.create_part(session, client_id, parts.PartInput(name=name, part_type=part_type))


def _add_course(session: Any, client_id: int, kind: str, start_date: Any, goals: str, *,
                actor_id: int | None = None) -> Any:
    from models.services import care

    return care.add_course(session, client_id, care.CourseInput(kind, start_date, None, goals),
                           actor_id=actor_id)


def build_note_services() -> NoteServices:
    """The note editor's port; each function imports its module on first use."""
    notes = "models.services.notes"
    return NoteServices(
        get_note=_lazy(notes, "get_note"),
        save_draft=_lazy(notes, "save_draft"),
        check_for_signing=_lazy(notes, "check_for_signing"),
        sign_note=_lazy(notes, "sign_note"),
        add_addendum=_lazy(notes, "add_addendum"),
        discard_draft=_lazy(notes, "discard_draft"),
        dosing_context=_lazy(notes, "dosing_context"),
        list_dosing_sessions=_list_dosing_sessions,
        list_targets=_lazy("models.services.targets", "list_targets"),
        list_parts=_lazy("models.services.parts", "list_parts"),
        create_target=_create_target,
        create_part=_create_part,
    )


def build_measures_services() -> Any:
    """The measures screens' port (ui.measure_entry.MeasuresServices), built on first use
    so that start-up loads neither the measures screens nor SQLAlchemy."""
    from models.instruments.series import RELATION_LABELS
    from ui.measure_entry import MeasuresServices

    measures = "models.services.measures"
    return MeasuresServices(
        available_instruments=_lazy(measures, "available_instruments"),
        build_measures_view=_lazy(measures, "build_measures_view"),
        measure_input=_lazy(measures, "MeasureInput"),
        record_administration=_lazy(measures, "record_administration"),
        create_custom_instrument=_lazy(measures, "create_custom_instrument"),
        mark_entered_in_error=_lazy(measures, "mark_entered_in_error"),
        relation_labels=RELATION_LABELS,
    )


def _prewarm() -> None:
    import models.services.chart
    import models.services.clients
    import models.services.clinicians
    import models.services.measures
    import models.services.notes
    import models.services.security
    import models.vault  # noqa: F401


def _vault_error_class(name: str) -> type[Exception] | None:
    # An error from the vault means models.vault is loaded: no import is paid here.
    module = sys.modules.get("models.vault")
    return getattr(module, name, None) if module is not None else None


def _is_vault_error(exc: BaseException) -> bool:
    cls = _vault_error_class("VaultError")
    return cls is not None and isinstance(exc, cls)


def _is_wrong_passphrase(exc: BaseException) -> bool:
    cls = _vault_error_class("WrongPassphraseError")
    return cls is not None and isinstance(exc, cls)


def build_services() -> Services:
    """The real services, each importing its module on first use."""
    clients, clinicians = "models.services.clients", "models.services.clinicians"
    security = "models.services.security"
    return Services(
        open_vault=_open_vault,
        create_vault=_create_vault,
        is_vault_error=_is_vault_error,
        is_wrong_passphrase=_is_wrong_passphrase,
        create_clinician=_lazy(clinicians, "create_clinician"),
        primary_clinician=_lazy(clinicians, "primary_clinician"),
        record_unlock=_lazy(security, "record_unlock"),
        record_lock=_lazy(security, "record_lock"),
        list_clients=_lazy(clients, "list_clients"),
        get_client=_lazy(clients, "get_client"),
        load_client_chart=_lazy("models.services.chart", "load_client_chart"),
        client_input=_lazy(clients, "ClientInput"),
        validate_client_input=_lazy(clients, "validate_client_input"),
        create_client=_lazy(clients, "create_client"),
        update_client=_lazy(clients, "update_client"),
        notes=build_note_services(),
        create_note=_lazy("models.services.notes", "create_note"),
        add_course=_add_course,
        measures=build_measures_services,
        prewarm=_prewarm,
    )
