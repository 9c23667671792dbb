"""What a signed note files, as plain data: the one derivation signing writes and verify
compares against.

Signing a note copies figures out of its content into their own tables (the dose into the
dosing session, SUD/VoC into the target's history, ...), and the database then locks
them. Someone with the key who drops the locks can change those copies without touching
the note; verify recomputes them from the signed content with these same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from models.templates.definitions import Template
from models.templates.extraction import ExtractedFigures, VitalsReading, extract_figures
from models.templates.loading import load_templates

# Fields of a target's definition that an EMDR/ART note may restate.
_DEFINITION_FROM_CONTENT = ("image", "negative_cognition", "emotions", "body_location")


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_time(value: Any) -> dt.time | None:
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            return None
    return None


def target_definition(content: Mapping[str, Any]) -> dict[str, str]:
    """The target-definition fields a note restates (the status change is separate)."""
    definition = {
        name: content[name]
        for name in _DEFINITION_FROM_CONTENT
        if isinstance(content.get(name), str) and content[name].strip()
    }
    revised = content.get("pc_kept_or_revised") == "revised"
    pc = content.get("revised_pc") if revised else content.get("positive_cognition")
    if isinstance(pc, str) and pc.strip():
        definition["positive_cognition"] = pc
    return definition


@dataclass(frozen=True)
class Rating:
    """One SUD/VoC reading a note files into a target's history."""

    target_id: int
    point: str
    sud: int | None
    voc: int | None


def target_ratings(figures: ExtractedFigures) -> list[Rating]:
    ratings = []
    if figures.target is not None:
        t = figures.target
        if t.sud_start is not None or t.voc_start is not None:
            ratings.append(Rating(t.target_id, "start", t.sud_start, t.voc_start))
        if t.sud_end is not None or t.voc_end is not None:
            ratings.append(Rating(t.target_id, "end", t.sud_end, t.voc_end))
    if figures.reevaluation is not None:
        r = figures.reevaluation
        if r.sud is not None or r.voc is not None:
            ratings.append(Rating(r.target_id, "reevaluation", r.sud, r.voc))
    return ratings


@dataclass(frozen=True)
class Booster:
    minutes_from_dose: int
    dose_mg: float


@dataclass(frozen=True)
class DosingRecord:
    """What a signed dosing note writes into its dosing session.

    `setting`, `medication` and `route` are None when the note leaves them out (the
    session then keeps its own); everything else is exactly what the session holds.
    """

    number: int | None
    session_date: dt.date
    start_time: dt.time | None
    dose_time: dt.time | None
    setting: str | None
    medication: str | None
    route: str | None
    dose_mg: float | None
    weight_kg: float | None
    infusion_minutes: int | None
    lot_number: str
    prescriber: str
    monitoring_clinician: str
    intention: str
    set_and_setting: str
    cadss_total: int | None
    cadss6_total: int | None
    moaas: int | None
    adverse_events: str
    ready_for_discharge: dt.time | None
    ride_home_confirmed: bool | None
    observations: str
    client_account: str
    vitals: tuple[VitalsReading, ...]
    boosters: tuple[Booster, ...]

    # The columns of dosing_session this record fills, one for one.
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "session_date", "start_time", "dose_time", "dose_mg", "weight_kg", "infusion_minutes",
        "lot_number", "prescriber", "monitoring_clinician", "intention", "set_and_setting",
        "cadss_total", "cadss6_total", "moaas", "adverse_events", "ready_for_discharge",
        "ride_home_confirmed", "observations", "client_account")


def dosing_record(template: Template, content: Mapping[str, Any], figures: ExtractedFigures,
                  day: dt.date) -> DosingRecord:
    c = content
    number = c.get("session_number")
    supports = ", ".join(str(s).replace("_", " ") for s in c.get("setting_supports") or [])
    start = parse_time(c.get("start_time"))
    boosters = tuple(Booster(b.minutes_from_dose, b.dose_mg) for b in figures.boosters) \
        or _boosters_by_clock(start, c)
    escort = c.get("escort")
    return DosingRecord(
        number=number if isinstance(number, int) else None,
        session_date=day,
        start_time=start,
        dose_time=parse_time(figures.dose_time),
        setting=c.get("dosing_setting") or None,
        medication=c.get("medication") or None,
        route=c.get("route") or None,
        dose_mg=figures.dose_mg,
        weight_kg=figures.weight_kg,
        infusion_minutes=c.get("infusion_minutes"),
        lot_number=c.get("lot_number") or "",
        prescriber=c.get("prescriber") or "",
        monitoring_clinician=c.get("monitoring_clinician") or "",
        intention=c.get("intention") or "",
        set_and_setting="; ".join(x for x in (supports, c.get("setting_notes") or "") if x),
        # A template that records the CADSS as item answers files it in Measures; the totals
        # kept on the dosing session are those of the first template only.
        cadss_total=figures.cadss_total,
        cadss6_total=figures.cadss6,
        moaas=figures.moaas,
        adverse_events=adverse_events_text(template, c),
        ready_for_discharge=parse_time(c.get("discharge_ready_time")),
        ride_home_confirmed=(escort == "escorted" if isinstance(escort, str)
                             else c.get("ride_home_confirmed")),
        observations=c.get("observations") or "",
        client_account=c.get("client_account") or "",
        vitals=figures.vitals,
        boosters=boosters,
    )


def adverse_events_text(template: Template, content: Mapping[str, Any]) -> str:
    """'Nausea mild; Vomiting moderate, serious' from the adverse-event rows."""
    try:
        group = template.field("adverse_events")
    except KeyError:
        return ""
    words = []
    for event in content.get("adverse_events") or []:
        if not isinstance(event, dict):
            continue
        said: list[str] = []
        for column_id in ("event", "severity"):
            value = event.get(column_id)
            if isinstance(value, str) and value:
                try:
                    label = group.column(column_id).option_label(value)
                except KeyError:
                    label = value.replace("_", " ")
                said.append(label if not said else label.lower())
        text = " ".join(said)
        if event.get("serious") is True:
            text += ", serious"
        if text:
            words.append(text)
    return "; ".join(words)


def _boosters_by_clock(start: dt.time | None,
                       content: Mapping[str, Any]) -> tuple[Booster, ...]:
    """Boosters of the first template, given by the clock: minutes from the session start."""
    boosters = []
    for b in content.get("boosters") or []:
        when, mg = parse_time(b.get("time")), b.get("dose_mg")
        if when is None or not isinstance(mg, int | float):
            continue
        minutes = 0
        if start is not None:
            minutes = (when.hour * 60 + when.minute) - (start.hour * 60 + start.minute)
        boosters.append(Booster(minutes, float(mg)))
    return tuple(boosters)


def template_for(template_id: str, template_version: int) -> Template:
    return load_templates().get(template_id, template_version)


def figures_of(template_id: str, template_version: int,
               content: Mapping[str, Any]) -> ExtractedFigures:
    return extract_figures(template_for(template_id, template_version), content)
