"""ORM row -> DTO conversions, in one place so every service returns the same shapes."""

from __future__ import annotations

from models import dto
from models.entities import (
    Addendum,
    Client,
    Clinician,
    Course,
    DosingSession,
    IfsPart,
    MeasureAdministration,
    Note,
    PartRelation,
    TargetMemory,
)


def clinician(row: Clinician) -> dto.ClinicianDTO:
    return dto.ClinicianDTO(row.id, row.name, row.credentials, row.licence)


def client_detail(row: Client) -> dto.ClientDetail:
    return dto.ClientDetail(
        id=row.id,
        record_number=row.record_number,
        name=row.name,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        pronouns=row.pronouns,
        contact=row.contact,
        emergency_contact=row.emergency_contact,
        diagnoses=row.diagnoses,
        status=row.status,
        discharged_on=row.discharged_on,
    )


def dosing_session(row: DosingSession) -> dto.DosingSessionDTO:
    return dto.DosingSessionDTO(
        id=row.id,
        course_id=row.course_id,
        number=row.number,
        session_date=row.session_date,
        start_time=row.start_time,
        setting=row.setting,
        medication=row.medication,
        route=row.route,
        dose_mg=row.dose_mg,
        weight_kg=row.weight_kg,
        infusion_minutes=row.infusion_minutes,
        lot_number=row.lot_number,
        prescriber=row.prescriber,
        monitoring_clinician=row.monitoring_clinician,
        intention=row.intention,
        set_and_setting=row.set_and_setting,
        cadss_total=row.cadss_total,
        cadss6_total=row.cadss6_total,
        moaas=row.moaas,
        adverse_events=row.adverse_events,
        ready_for_discharge=row.ready_for_discharge,
        ride_home_confirmed=row.ride_home_confirmed,
        observations=row.observations,
        client_account=row.client_account,
        locked=row.locked_by_note_id is not None,
        vitals=tuple(
            dto.VitalDTO(v.minutes_from_dose, v.systolic, v.diastolic, v.heart_rate, v.spo2)
            for v in row.vitals
        ),
        boosters=tuple(dto.BoosterDTO(b.minutes_from_dose, b.dose_mg) for b in row.boosters),
    )


def course(row: Course) -> dto.CourseDTO:
    return dto.CourseDTO(
        id=row.id,
        client_id=row.client_id,
        kind=row.kind,
        start_date=row.start_date,
        end_date=row.end_date,
        goals=row.goals,
        dosing_sessions=tuple(dosing_session(d) for d in row.dosing_sessions),
    )


def addendum(row: Addendum) -> dto.AddendumDTO:
    return dto.AddendumDTO(
        id=row.id,
        note_id=row.note_id,
        kind=row.kind,
        reason=row.reason,
        text=row.text,
        author_id=row.author_id,
        status=row.status,
        signed_at=row.signed_at,
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


def note(row: Note, *, with_content: bool = True) -> dto.NoteDTO:
    return dto.NoteDTO(
        id=row.id,
        client_id=row.client_id,
        course_id=row.course_id,
        dosing_session_id=row.dosing_session_id,
        template_id=row.template_id,
        template_version=row.template_version,
        session_date=row.session_date,
        status=row.status,
        author_id=row.author_id,
        signed_at=row.signed_at,
        signed_by_id=row.signed_by_id,
        content_hash=row.content_hash,
        updated_at=row.updated_at,
        content=dict(row.content) if with_content else {},
        addenda=tuple(addendum(a) for a in row.addenda),
    )


def target(row: TargetMemory) -> dto.TargetDTO:
    return dto.TargetDTO(
        id=row.id,
        client_id=row.client_id,
        kind=row.kind,
        label=row.label,
        prong=row.prong,
        touchstone=row.touchstone,
        found_by=row.found_by,
        image=row.image,
        negative_cognition=row.negative_cognition,
        positive_cognition=row.positive_cognition,
        emotions=row.emotions,
        body_location=row.body_location,
        baseline_sud=row.baseline_sud,
        baseline_voc=row.baseline_voc,
        status=row.status,
        part_id=row.part_id,
        identified_on=row.identified_on,
        ratings=tuple(
            dto.TargetRatingDTO(r.id, r.target_id, r.note_id, r.rated_on, r.point, r.sud, r.voc)
            for r in row.ratings
        ),
        history=tuple(
            dto.TargetDefinitionChangeDTO(h.changed_at, h.field, h.old_value, h.new_value,
                                          h.note_id)
            for h in row.definition_history
        ),
    )


def part(row: IfsPart) -> dto.PartDTO:
    return dto.PartDTO(
        id=row.id,
        client_id=row.client_id,
        name=row.name,
        part_type=row.part_type,
        age_appearance=row.age_appearance,
        body_location=row.body_location,
        role=row.role,
        fears=row.fears,
        burdens_personal=row.burdens_personal,
        burdens_legacy=row.burdens_legacy,
        trust_in_self=row.trust_in_self,
        status=row.status,
        first_seen=row.first_seen,
        map_x=row.map_x,
        map_y=row.map_y,
    )


def relation(row: PartRelation) -> dto.PartRelationDTO:
    return dto.PartRelationDTO(row.id, row.kind, row.from_part_id, row.to_part_id)


def administration(row: MeasureAdministration) -> dto.AdministrationDTO:
    return dto.AdministrationDTO(
        id=row.id,
        client_id=row.client_id,
        instrument_id=row.instrument_id,
        instrument_version=row.instrument_version,
        administered_on=row.administered_on,
        relation_to_care=row.relation_to_care,
        dosing_session_id=row.dosing_session_id,
        note_id=row.note_id,
        responses=tuple((r.item_number, r.value) for r in row.responses),
    )
