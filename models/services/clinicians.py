"""The clinician who owns the vault (one per vault today; the table allows a group later)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.dto import ClinicianDTO
from models.entities import Clinician
from models.errors import NotFoundError, ValidationError
from models.inputs import ClinicianInput, validate_clinician
from models.services import convert
from models.services.rows import write_changes


def create_clinician(
    session: Session, name: str, credentials: str = "", licence: str = ""
) -> ClinicianDTO:
    problems = validate_clinician(ClinicianInput(name, credentials, licence))
    if problems:
        raise ValidationError(problems)
    row = Clinician(name=name.strip(), credentials=credentials.strip(), licence=licence.strip())
    session.add(row)
    session.flush()
    audit.record(session, "clinician.create", entity="clinician", entity_id=row.id,
                 actor_id=row.id)
    return convert.clinician(row)


def update_clinician(session: Session, clinician_id: int, data: ClinicianInput) -> ClinicianDTO:
    """Put the clinician's name, credentials or licence right (reports print them)."""
    problems = validate_clinician(data)
    if problems:
        raise ValidationError(problems)
    row = session.get(Clinician, clinician_id)
    if row is None:
        raise NotFoundError(f"Clinician #{clinician_id} does not exist in this vault.")
    wanted = {"name": data.name.strip(), "credentials": data.credentials.strip(),
              "licence": data.licence.strip()}
    changed = {name: value for name, value in wanted.items() if getattr(row, name) != value}
    if changed:
        write_changes(session, row, changed)
        # Which fields changed, never their values.
        audit.record(session, "clinician.update", entity="clinician", entity_id=row.id,
                     actor_id=row.id, detail="fields=" + ",".join(changed))
    return convert.clinician(row)


def primary_clinician(session: Session) -> ClinicianDTO | None:
    row = session.scalars(select(Clinician).order_by(Clinician.id).limit(1)).first()
    return convert.clinician(row) if row is not None else None


def owner_id(session: Session) -> int | None:
    """The vault's clinician (one per vault today): who a whole-vault action is recorded as
    done by (a backup, an export, a new passphrase), as their unlock is."""
    owner = primary_clinician(session)
    return owner.id if owner is not None else None
