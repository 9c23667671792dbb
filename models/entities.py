"""SQLAlchemy 2 entities for the whole practice: clients, care, notes, targets, parts, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models import text_guard, vocabulary

# Constraint names are stable across SQLite and PostgreSQL and let Alembic's batch mode
# recreate tables without losing track of them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The codes each column may hold: the vocabulary's, so a label and a CHECK never disagree.
# (A migration keeps its own copy: it must say what the schema was at its revision.)
CLIENT_STATUSES = vocabulary.CLIENT_STATUSES.codes
COURSE_KINDS = vocabulary.COURSE_KINDS.codes
NOTE_STATUSES = vocabulary.NOTE_STATUSES.codes
ADDENDUM_KINDS = vocabulary.ADDENDUM_KINDS.codes
TARGET_KINDS = vocabulary.TARGET_KINDS.codes
TARGET_PRONGS = vocabulary.TARGET_PRONGS.codes
TARGET_STATUSES = vocabulary.TARGET_STATUSES.codes
PART_TYPES = vocabulary.PART_TYPES.codes
PART_STATUSES = vocabulary.PART_STATUSES.codes
RELATION_KINDS = vocabulary.PART_RELATIONS.codes
CARE_RELATIONS = vocabulary.CARE_RELATIONS.codes
RATING_POINTS = vocabulary.RATING_POINTS.codes


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


GENESIS_HASH = "0" * 64


class VaultInfo(Base):
    """One row, the vault's header: what this vault is, when it was made, the anchor of its
    audit chain and when it was last backed up (no clinical content)."""

    __tablename__ = "vault_info"

    id: Mapped[int] = mapped_column(primary_key=True)
    vault_uuid: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    created_by_app: Mapped[str] = mapped_column(String(40))
    # How many audit events there are and the newest one's hash, kept with every append:
    # a chain whose newest events were cut off no longer reaches its anchor.
    audit_events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH,
                                            server_default=GENESIS_HASH)
    last_backup_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Clinician(Base):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(String(200), default="")
    licence: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    preferred_name: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    emergency_contact: Mapped[str] = mapped_column(Text, default="")
    diagnoses: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    discharged_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow, onupdate=_utcnow)

    courses: Mapped[list[Course]] = relationship(
        back_populates="client", order_by="Course.start_date", cascade="all, delete-orphan"
    )
    status_history: Mapped[list[ClientStatusChange]] = relationship(
        order_by=lambda: (ClientStatusChange.changed_on, ClientStatusChange.id),
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint(_in("status", CLIENT_STATUSES), name="status_known"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        Index("ix_client_name", "name"),
    )


class ClientStatusChange(Base):
    """A discharge or a reactivation: when, why, and by whom (the client's status history)."""

    __tablename__ = "client_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # the status the client moved to
    changed_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    __table_args__ = (
        CheckConstraint(_in("status", CLIENT_STATUSES), name="status_known"),
        Index("ix_client_status_change_client", "client_id", "changed_on"),
    )


class Course(Base):
    """An episode of ketamine-assisted care: an intensive retreat or a spaced programme."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    goals: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    # Its plan: the integration sessions after its first dose, and after each later one
    # (models.inputs.validate_course keeps them in 0..INTEGRATION_MOST).
    integration_after_first: Mapped[int] = mapped_column(
        Integer, default=vocabulary.INTEGRATION_AFTER_FIRST_DOSE,
        server_default=str(vocabulary.INTEGRATION_AFTER_FIRST_DOSE))
    integration_after_each: Mapped[int] = mapped_column(
        Integer, default=vocabulary.INTEGRATION_AFTER_A_DOSE,
        server_default=str(vocabulary.INTEGRATION_AFTER_A_DOSE))

    client: Mapped[Client] = relationship(back_populates="courses")
    dosing_sessions: Mapped[list[DosingSession]] = relationship(
        back_populates="course", order_by="DosingSession.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(_in("kind", COURSE_KINDS), name="kind_known"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        Index("ix_course_client", "client_id"),
    )


class DosingSession(Base):
    """One ketamine dosing session under medical monitoring (CLINICAL.md, dosing record)."""

    __tablename__ = "dosing_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    session_date: Mapped[dt.date] = mapped_column(Date)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    dose_time: Mapped[dt.time | None] = mapped_column(Time)
    setting: Mapped[str] = mapped_column(String(40), default="in_office")
    medication: Mapped[str] = mapped_column(String(40), default="racemic_ketamine")
    route: Mapped[str] = mapped_column(String(40))
    dose_mg: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    infusion_minutes: Mapped[int | None] = mapped_column(Integer)
    lot_number: Mapped[str] = mapped_column(String(80), default="")
    prescriber: Mapped[str] = mapped_column(String(200), default="")
    monitoring_clinician: Mapped[str] = mapped_column(String(200), default="")
    intention: Mapped[str] = mapped_column(Text, default="")
    set_and_setting: Mapped[str] = mapped_column(Text, default="")
    cadss_total: Mapped[int | None] = mapped_column(Integer)
    cadss6_total: Mapped[int | None] = mapped_column(Integer)
    moaas: Mapped[int | None] = mapped_column(Integer)
    adverse_events: Mapped[str] = mapped_column(Text, default="")
    ready_for_discharge: Mapped[dt.time | None] = mapped_column(Time)
    ride_home_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    observations: Mapped[str] = mapped_column(Text, default="")
    client_account: Mapped[str] = mapped_column(Text, default="")
    # Set when a signed dosing note has written its figures here; the row is then frozen.
    locked_by_note_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    course: Mapped[Course] = relationship(back_populates="dosing_sessions")
    vitals: Mapped[list[DosingVital]] = relationship(
        back_populates="dosing_session",
        order_by="DosingVital.minutes_from_dose",
        cascade="all, delete-orphan",
    )
    boosters: Mapped[list[DosingBooster]] = relationship(
        back_populates="dosing_session",
        order_by="DosingBooster.minutes_from_dose",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("course_id", "number", name="uq_dosing_session_course_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("dose_mg IS NULL OR (dose_mg > 0 AND dose_mg <= 1000)", name="dose_range"),
        CheckConstraint(
            "weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 400)", name="weight_range"
        ),
        CheckConstraint("moaas IS NULL OR moaas BETWEEN 0 AND 5", name="moaas_range"),
        CheckConstraint(
            "cadss_total IS NULL OR cadss_total BETWEEN 0 AND 92", name="cadss_range"
        ),
        CheckConstraint(
            "cadss6_total IS NULL OR cadss6_total BETWEEN 0 AND 24", name="cadss6_range"
        ),
        Index("ix_dosing_session_date", "session_date"),
    )

    @property
    def mg_per_kg(self) -> float | None:
        if self.dose_mg is None or not self.weight_kg:
            return None
        return self.dose_mg / self.weight_kg


class DosingVital(Base):
    __tablename__ = "dosing_vital"

    id: Mapped[int] = mapped_column(primary_key=True)
    dosing_session_id: Mapped[int] = mapped_column(
        ForeignKey("dosing_session.id", ondelete="CASCADE")
    )
    minutes_from_dose: Mapped[int] = mapped_column(Integer)
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    heart_rate: Mapped[int | None] = mapped_column(Integer)
    spo2: Mapped[int | None] = mapped_column(Integer)
    respiratory_rate: Mapped[int | None] = mapped_column(Integer)
    moaas: Mapped[int | None] = mapped_column(Integer)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))

    dosing_session: Mapped[DosingSession] = relationship(back_populates="vitals")

    __table_args__ = (
        CheckConstraint("systolic IS NULL OR systolic BETWEEN 40 AND 300", name="systolic_range"),
        CheckConstraint(
            "diastolic IS NULL OR diastolic BETWEEN 20 AND 200", name="diastolic_range"
        ),
        CheckConstraint(
            "heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250", name="heart_rate_range"
        ),
        CheckConstraint("spo2 IS NULL OR spo2 BETWEEN 50 AND 100", name="spo2_range"),
        Index("ix_dosing_vital_session", "dosing_session_id"),
    )


class DosingBooster(Base):
    __tablename__ = "dosing_booster"

    id: Mapped[int] = mapped_column(primary_key=True)
    dosing_session_id: Mapped[int] = mapped_column(
        ForeignKey("dosing_session.id", ondelete="CASCADE")
    )
    minutes_from_dose: Mapped[int] = mapped_column(Integer)
    dose_mg: Mapped[float] = mapped_column(Float)

    dosing_session: Mapped[DosingSession] = relationship(back_populates="boosters")

    __table_args__ = (
        CheckConstraint("dose_mg > 0 AND dose_mg <= 1000", name="dose_range"),
        Index("ix_dosing_booster_session", "dosing_session_id"),
    )


class Note(Base):
    """A session note written in one version of one template; immutable once signed."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    dosing_session_id: Mapped[int | None] = mapped_column(ForeignKey("dosing_session.id"))
    template_id: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(Integer)
    session_date: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="note", order_by="Addendum.created_at"
    )

    __table_args__ = (
        CheckConstraint(_in("status", NOTE_STATUSES), name="status_known"),
        CheckConstraint(
            "status = 'draft' OR (signed_at IS NOT NULL AND content_hash IS NOT NULL)",
            name="signed_has_hash",
        ),
        Index("ix_note_client_date", "client_id", "session_date"),
        Index("ix_note_dosing_session", "dosing_session_id"),
    )


class Addendum(Base):
    """An addendum, correction or late entry to a signed note; the original never changes."""

    __tablename__ = "addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    note: Mapped[Note] = relationship(back_populates="addenda")

    __table_args__ = (
        CheckConstraint(_in("kind", ADDENDUM_KINDS), name="kind_known"),
        CheckConstraint(_in("status", NOTE_STATUSES), name="status_known"),
        Index("ix_addendum_note", "note_id"),
    )


class TargetMemory(Base):
    """An EMDR or ART target in the client's registry; SUD and VoC belong to it."""

    __tablename__ = "target_memory"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="emdr")
    label: Mapped[str] = mapped_column(String(200))
    prong: Mapped[str] = mapped_column(String(10), default="past")
    touchstone: Mapped[bool] = mapped_column(Boolean, default=False)
    found_by: Mapped[str] = mapped_column(String(40), default="")
    image: Mapped[str] = mapped_column(Text, default="")
    negative_cognition: Mapped[str] = mapped_column(Text, default="")
    positive_cognition: Mapped[str] = mapped_column(Text, default="")
    emotions: Mapped[str] = mapped_column(Text, default="")
    body_location: Mapped[str] = mapped_column(Text, default="")
    baseline_sud: Mapped[int | None] = mapped_column(Integer)
    baseline_voc: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="identified")
    part_id: Mapped[int | None] = mapped_column(ForeignKey("ifs_part.id", ondelete="SET NULL"))
    identified_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    ratings: Mapped[list[TargetRating]] = relationship(
        back_populates="target", order_by="TargetRating.rated_on"
    )
    definition_history: Mapped[list[TargetDefinitionChange]] = relationship(
        back_populates="target", order_by="TargetDefinitionChange.changed_at"
    )

    __table_args__ = (
        CheckConstraint(_in("kind", TARGET_KINDS), name="kind_known"),
        CheckConstraint(_in("prong", TARGET_PRONGS), name="prong_known"),
        CheckConstraint(_in("status", TARGET_STATUSES), name="status_known"),
        CheckConstraint("baseline_sud IS NULL OR baseline_sud BETWEEN 0 AND 10", name="sud"),
        CheckConstraint("baseline_voc IS NULL OR baseline_voc BETWEEN 1 AND 7", name="voc"),
        Index("ix_target_memory_client", "client_id"),
    )


class TargetRating(Base):
    """One SUD and/or VoC reading of a target, usually extracted from a signed note."""

    __tablename__ = "target_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target_memory.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    rated_on: Mapped[dt.date] = mapped_column(Date)
    point: Mapped[str] = mapped_column(String(20))
    sud: Mapped[int | None] = mapped_column(Integer)
    voc: Mapped[int | None] = mapped_column(Integer)

    target: Mapped[TargetMemory] = relationship(back_populates="ratings")

    __table_args__ = (
        CheckConstraint(_in("point", RATING_POINTS), name="point_known"),
        CheckConstraint("sud IS NULL OR sud BETWEEN 0 AND 10", name="sud"),
        CheckConstraint("voc IS NULL OR voc BETWEEN 1 AND 7", name="voc"),
        CheckConstraint("sud IS NOT NULL OR voc IS NOT NULL", name="has_value"),
        Index("ix_target_rating_target", "target_id", "rated_on"),
    )


class TargetDefinitionChange(Base):
    """A dated change to one field of a target's definition (label, NC, PC, status, ...)."""

    __tablename__ = "target_definition_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target_memory.id", ondelete="CASCADE"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))

    target: Mapped[TargetMemory] = relationship(back_populates="definition_history")

    __table_args__ = (Index("ix_target_definition_change_target", "target_id"),)


class IfsPart(Base):
    """A part in the client's IFS parts registry; Self is never a part."""

    __tablename__ = "ifs_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    part_type: Mapped[str] = mapped_column(String(20), default="unknown")
    age_appearance: Mapped[str] = mapped_column(Text, default="")
    body_location: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(Text, default="")
    fears: Mapped[str] = mapped_column(Text, default="")
    burdens_personal: Mapped[str] = mapped_column(Text, default="")
    burdens_legacy: Mapped[str] = mapped_column(Text, default="")
    trust_in_self: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="identified")
    first_seen: Mapped[dt.date] = mapped_column(Date)
    map_x: Mapped[float] = mapped_column(Float, default=0.0)
    map_y: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    # Set when the therapist removes the part from the map. The row stays: signed notes,
    # snapshots and the status history name it, and it can be put back.
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(_in("part_type", PART_TYPES), name="type_known"),
        CheckConstraint(_in("status", PART_STATUSES), name="status_known"),
        CheckConstraint(
            "trust_in_self IS NULL OR trust_in_self BETWEEN 0 AND 10", name="trust_range"
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        Index("ix_ifs_part_client", "client_id"),
    )


class PartRelation(Base):
    """protects (protector -> exile), or polarized / allied (undirected, stored once)."""

    __tablename__ = "part_relation"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    from_part_id: Mapped[int] = mapped_column(ForeignKey("ifs_part.id", ondelete="CASCADE"))
    to_part_id: Mapped[int] = mapped_column(ForeignKey("ifs_part.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    __table_args__ = (
        CheckConstraint(_in("kind", RELATION_KINDS), name="kind_known"),
        CheckConstraint("from_part_id <> to_part_id", name="not_self"),
        # Undirected relations are stored once, lower id first.
        CheckConstraint(
            "kind = 'protects' OR from_part_id < to_part_id", name="undirected_ordered"
        ),
        UniqueConstraint(
            "kind", "from_part_id", "to_part_id", name="uq_part_relation_kind_from_to"
        ),
        Index("ix_part_relation_client", "client_id"),
    )


class PartStatusChange(Base):
    """The parts history: each status change of a part, usually from a signed IFS note."""

    __tablename__ = "part_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("ifs_part.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    changed_on: Mapped[dt.date] = mapped_column(Date)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))

    __table_args__ = (
        CheckConstraint(_in("new_status", PART_STATUSES), name="status_known"),
        Index("ix_part_status_change_part", "part_id"),
    )


class PartsMapSnapshot(Base):
    """The parts map as it stood on a date (kept with every signed IFS note)."""

    __tablename__ = "parts_map_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    __table_args__ = (Index("ix_parts_map_snapshot_client", "client_id", "taken_on"),)


class SelfEnergyRating(Base):
    """The 0..10 Self-energy rating from an IFS note, charted over sessions."""

    __tablename__ = "self_energy_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    rated_on: Mapped[dt.date] = mapped_column(Date)
    rating: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("rating BETWEEN 0 AND 10", name="rating_range"),
        Index("ix_self_energy_rating_client", "client_id", "rated_on"),
    )


class CustomInstrument(Base):
    """A clinician-defined single-number measure (name, range, which direction is better)."""

    __tablename__ = "custom_instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    min_value: Mapped[float] = mapped_column(Float)
    max_value: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=False)
    reliable_change: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    __table_args__ = (CheckConstraint("min_value < max_value", name="range_ordered"),)


class MeasureAdministration(Base):
    """One administration of an instrument; totals and bands are derived, never stored."""

    __tablename__ = "measure_administration"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int] = mapped_column(Integer, default=1)
    administered_on: Mapped[dt.date] = mapped_column(Date)
    relation_to_care: Mapped[str] = mapped_column(String(20))
    dosing_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("dosing_session.id", ondelete="SET NULL")
    )
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    # A wrong entry is never deleted: it is marked, with why and when, and left out of
    # scores, charts and change summaries.
    entered_in_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    entered_in_error_reason: Mapped[str | None] = mapped_column(Text)
    # The event the client rated, for instruments that ask for one (PCL-5's worst event).
    index_event: Mapped[str | None] = mapped_column(Text)

    responses: Mapped[list[ItemResponse]] = relationship(
        back_populates="administration",
        order_by="ItemResponse.item_number",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint(_in("relation_to_care", CARE_RELATIONS), name="relation_known"),
        Index("ix_measure_administration_client", "client_id", "instrument_id", "administered_on"),
    )


class ItemResponse(Base):
    __tablename__ = "item_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("measure_administration.id", ondelete="CASCADE")
    )
    item_number: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)

    administration: Mapped[MeasureAdministration] = relationship(back_populates="responses")

    __table_args__ = (
        UniqueConstraint(
            "administration_id", "item_number", name="uq_item_response_administration_item"
        ),
        CheckConstraint("item_number >= 1", name="item_number_positive"),
    )


class AuditEvent(Base):
    """Append-only, hash-chained record of who did what to which record (never clinical text)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_event_client", "client_id"),)


# Text that cannot be stored (a NUL, a lone surrogate) is refused before any flush.
text_guard.install()
