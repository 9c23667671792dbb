"""The clinician who owns the vault (one per vault today; the table allows a group later)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.dto import ClinicianDTO
from models.entities import Clinician
from models.errors import ValidationError
from models.services import convert
from models.values import has_visible_text


def create_clinician(
    session: Session, name: str, credentials: str = "", licence: str = ""
) -> ClinicianDTO:
    if not has_visible_text(name):
        raise ValidationError({"name": "The clinician's name is required."})
    row = Clinician(name=name.strip(), credentials=credentials.strip(), licence=licence.strip())
    session.add(row)
    session.flush()
    audit.record(session, "clinician.create", entity="clinician", entity_id=row.id,
                 actor_id=row.id)
    return convert.clinician(row)


def primary_clinician(session: Session) -> ClinicianDTO | None:
    row = session.scalars(select(Clinician).order_by(Clinician.id).limit(1)).first()
    return convert.clinician(row) if row is not None else None
