"""The progress report holds what it must: the header on every page, the client's figures,
the sections asked for and no others, the charts, and nothing left out that was asked for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from models.backend import Backend
from models.clinical.doses import (
    course_span_text,
    cumulative_text,
    dosing_note_line,
    integration_plan_text,
    plan_of,
)
from models.clinical.measures import points_text
from models.clinical.parts_map import relation_text, self_energy_text, status_change_text
from models.clinical.safety import safety_followups
from models.clinical.sessions import STORY_HEADING, note_story
from models.clinical.signing import seal_text
from models.clinical.targets import change_text, rated_by_voc, summarise_target
from models.dto import BoosterDTO, ClientStatusChangeDTO
from models.formatting import date_text
from models.inputs import ClientInput, CustomMeasureInput, MeasureInput, ReportOptions
from models.instruments.loading import load_instruments
from models.instruments.scoring import score
from models.report_data import ReportData
from models.vocabulary import (
    FOLLOWS_A_DOSE,
    MODALITIES,
    PART_STATUSES,
    PART_TYPES,
    REPORT_SECTIONS,
    ROUTES,
    TARGET_STATUSES,
)
from reports.charts import build_trend_chart, find_artists
from reports.progress import SECTION_BUILDERS
from reports.render import render_report
from reports.sections.measures import safety_flowables
from tests.conftest import TODAY
from tests.unit.reports.conftest import pages_text
from tests.unit.templates.samples import sample_note

EVERYTHING = ReportOptions(start=dt.date(2020, 1, 1), practice="Harbour Light Practice")


def data_for(backend: Backend, record_number: str, options: ReportOptions) -> ReportData:
    return backend.reports.data(backend.clients.find(record_number).id, options)


@pytest.fixture(scope="module")
def full(practice: Backend) -> tuple[ReportData, list[str]]:
    data = data_for(practice, "C-0001", EVERYTHING)
    return data, pages_text(render_report(data))


def test_every_page_carries_the_header_and_its_number(
        full: tuple[ReportData, list[str]]) -> None:
    data, pages = full
    assert len(pages) > 3
    born = date_text(data.client.date_of_birth)
    for number, page in enumerate(pages, start=1):
        for expected in ("CONFIDENTIAL", "Harbour Light Practice", data.client.name,
                         f"Record {data.client.record_number}", f"born {born}",
                         f"period {date_text(data.start)} – {date_text(TODAY)}",
                         f"Page {number} of {len(pages)}"):
            assert expected in page, f"page {number} lacks {expected!r}"
        if data.clinician is not None:
            assert data.clinician.name in page


def test_the_client_s_figures_are_in_it(full: tuple[ReportData, list[str]]) -> None:
    data, pages = full
    text = "\n".join(pages)
    for count in data.session_counts:
        assert re.search(rf"{re.escape(MODALITIES.label(count.modality))}\s+{count.count}\b",
                         text), count
    assert data.doses, "the demo client has dosing sessions"
    flat = _words(pages)
    for ref, dose in data.doses:
        assert ref.label in text and date_text(dose.session_date) in text
        assert ROUTES.short(dose.route) in text
        # Its note in full is headed by its label and its dose in all, as the window's.
        note = next(n for n in data.notes if n.dosing_session_id == dose.id
                    and n.template_id == "dosing")
        assert f"{ref.label} · {' '.join(dosing_note_line(note.content).split())}" in flat
    for series in data.measures.series:
        summary = series.summary
        assert series.instrument.short_name in text
        if summary.change is not None and summary.baseline is not None:
            assert points_text(summary.change) in text
            baseline = rf"{summary.baseline.total}\s+\({date_text(summary.baseline.when)}\)"
            assert re.search(baseline, text)
    signed = [n for n in data.notes if n.signed]
    assert signed and all(f"{n.session_date:%A} {n.session_date.day} {n.session_date:%B %Y}"
                          in text for n in signed)
    # Each signed note and addendum with its seal, to be matched with the vault's.
    sealed = [*signed, *(a for n in signed for a in n.addenda if a.status == "signed")]
    assert all(n.content_hash and seal_text(n.content_hash) in text for n in sealed)


def test_each_dose_says_its_integration_sessions_against_its_course_s_plan(
        full: tuple[ReportData, list[str]]) -> None:
    data, pages = full
    flat = _words(pages)
    for course in data.chart.courses:
        assert integration_plan_text(plan_of(course)) in flat
        # Its dates as of the day the report is made (an end ahead is a plan).
        assert course_span_text(course.start_date, course.end_date, data.made_on) in flat
    for ref, dose in data.doses:
        held = sum(1 for n in data.chart.notes if n.signed and n.dosing_session_id == dose.id
                   and n.template_id in FOLLOWS_A_DOSE and n.session_date <= data.end)
        course = next(c for c in data.chart.courses if c.id == dose.course_id)
        first = min(course.dosing_sessions, key=lambda d: (d.session_date, d.number))
        planned = (course.integration_after_first if first.id == dose.id
                   else course.integration_after_each)
        assert data.integration[dose.id] == (held, planned)
        assert re.search(rf"{re.escape(ref.label)} {re.escape(date_text(dose.session_date))} "
                         rf".*? {held} \({planned or 'none'} planned\)", flat), ref.label
    assert "Integration after: the signed integration sessions (EMDR, ART, IFS, General)" \
        in flat
    assert any(data.integration[dose.id][0] for _ref, dose in data.doses)  # some were held


def test_the_trend_charts_are_drawn_with_their_words(
        full: tuple[ReportData, list[str]]) -> None:
    data, pages = full
    text = "\n".join(pages)
    for series in data.measures.series:
        if series.latest is not None:
            assert f"{series.instrument.short_name} — {series.instrument.title}" in text
            assert "Rules and sources" in text
    if data.measures.dissociation:
        assert "Dissociation at each dosing session" in text


def _words(pages: list[str]) -> str:
    """The report's text with every run of white space as one space (cells wrap)."""
    return " ".join("\n".join(pages).split())


def test_sections_follow_the_options(practice: Backend) -> None:
    only_summary = dataclasses.replace(EVERYTHING, sections=("summary",))
    text = "\n".join(pages_text(render_report(data_for(practice, "C-0001", only_summary))))
    assert "Summary of care" in text and "Dosing sessions" in text
    for absent in ("Change from baseline", "Session notes", "Rules and sources",
                   "EMDR and ART targets", "IFS parts", "Self-energy", "SUD first"):
        assert absent not in text
    assert "Signature" in text  # the signature block closes every report

    no_summary = dataclasses.replace(EVERYTHING, sections=("measures", "sessions"))
    text = "\n".join(pages_text(render_report(data_for(practice, "C-0001", no_summary))))
    assert "Summary of care" not in text and "Courses of care" not in text
    assert "Change from baseline" in text and "Session notes" in text
    assert "EMDR and ART targets" not in text and "IFS parts" not in text

    registries = dataclasses.replace(EVERYTHING, sections=("targets", "ifs"))
    text = "\n".join(pages_text(render_report(data_for(practice, "C-0001", registries))))
    assert "EMDR and ART targets" in text and "IFS parts" in text
    for absent in ("Summary of care", "Change from baseline", "Session notes"):
        assert absent not in text
    assert text.index("EMDR and ART targets") < text.index("IFS parts")


@pytest.fixture(scope="module")
def worked(practice: Backend) -> tuple[ReportData, list[str]]:
    """The report of the first demo client with an EMDR or ART target that was worked."""
    number = next(c.record_number for c in practice.clients.summaries()
                  if any(t.ratings for t in practice.clients.chart(c.id).targets))
    data = data_for(practice, number, EVERYTHING)
    return data, pages_text(render_report(data))


def test_each_target_is_in_the_table_with_its_figures_and_chart(
        worked: tuple[ReportData, list[str]]) -> None:
    data, pages = worked
    text = _words(pages)
    assert data.targets, "the demo client has targets"
    assert any(t.ratings for t in data.targets), "and at least one was worked"
    section = text[text.index("EMDR and ART targets"):text.index("IFS parts")]
    for target in data.targets:
        summary = summarise_target(target)
        row = (f"{target.label} .*?{re.escape(TARGET_STATUSES.label(target.status))} "
               f"{re.escape(change_text(summary.baseline_sud, summary.latest_sud))} "
               f"{re.escape(change_text(summary.baseline_voc, summary.latest_voc))} "
               f"{summary.sessions_worked} ")
        assert re.search(row, section), target.label
        if target.ratings:  # its chart: the panel's title and its line of figures
            assert section.count(target.label) >= 2, target.label
            sud = f"SUD {change_text(summary.baseline_sud, summary.latest_sud)} · "
            if rated_by_voc(target):
                assert (f"{sud}VoC {change_text(summary.baseline_voc, summary.latest_voc)}"
                        in section), target.label
            else:  # an ART scene: SUD alone
                assert f"{sud}{summary.sessions_worked} session" in section, target.label
    assert "SUD and VoC by session" in section and "SUD (0–10, left)" in section


def test_the_parts_map_its_parts_and_their_changes_are_in_it(
        full: tuple[ReportData, list[str]]) -> None:
    data, pages = full
    text = _words(pages)
    shown = data.parts_map.parts_map
    assert shown is not None and shown.parts, "the demo client has a parts map"
    section = text[text.index("IFS parts"):text.index("Session notes")]
    assert "The map as it stands in the parts registry today" in section
    # The map itself, drawn as vectors with its words: Self, its rating, the legend.
    assert self_energy_text(shown.self_energy) in section
    assert "Protects (arrow: protector to protected)" in section
    names = {p.id: p.name for p in data.chart.parts}
    for part in shown.parts:
        assert section.count(part.name) >= 2, part.name  # on the map and in the table
        assert re.search(f"{re.escape(part.name)} {PART_TYPES.label(part.part_type)} "
                         f"{PART_STATUSES.label(part.status)}", section), part.name
    for relation in shown.relations:
        assert relation_text(relation, names) in section
    assert data.part_changes, "a part of the demo client changed status in the period"
    for change in data.part_changes:
        assert (f"{date_text(change.changed_on)} {names[change.part_id]} "
                f"{status_change_text(change)}") in section


def test_a_period_that_ended_shows_the_map_kept_by_its_end(practice: Backend) -> None:
    client_id = practice.clients.find("C-0001").id
    kept = practice.parts.snapshots(client_id)
    assert len(kept) >= 2, "the demo client's IFS notes kept maps"
    end = kept[0].taken_on + dt.timedelta(days=1)
    options = dataclasses.replace(EVERYTHING, end=end, sections=("ifs",))
    data = practice.reports.data(client_id, options)
    expected = practice.parts.snapshot_on(client_id, end)
    assert expected is not None and data.parts_snapshot == expected
    text = _words(pages_text(render_report(data)))
    assert f"the one of {date_text(expected.taken_on)}" in text
    for part in expected.parts:
        assert f"{part.name} {PART_TYPES.label(part.part_type)} " \
               f"{PART_STATUSES.label(part.status)}" in text

    before = dataclasses.replace(options, end=kept[0].taken_on - dt.timedelta(days=1))
    text = _words(pages_text(render_report(practice.reports.data(client_id, before))))
    assert "No parts map had been kept by" in text and "Parts on the map" not in text


def test_summaries_only_lists_each_session_on_one_line(practice: Backend) -> None:
    options = dataclasses.replace(EVERYTHING, sections=("sessions",), detail="summaries")
    data = data_for(practice, "C-0001", options)
    text = "\n".join(pages_text(render_report(data)))
    assert STORY_HEADING in text
    assert "Risk check" not in text  # no note is laid out in full
    assert text.count("signed") >= len(data.notes)
    # A line gives each figure with its unit, and a dose's CADSS by its total alone.
    flat = " ".join(text.split())
    assert re.search(r"Body weight: \d+(\.\d+)? kg", flat)
    assert re.search(r"CADSS, \d+ min after the dose: Total \d+ \(of 92\)", flat)
    assert "Answers by item" not in flat and "(0–10)" not in flat
    # A dosing session is named as the summary's dosing table names it, with its dose line;
    # an integration session says which dose it follows and how long after.
    for ref, dose in data.doses:
        note = next(n for n in data.notes if n.dosing_session_id == dose.id
                    and n.template_id == "dosing")
        assert f"Dosing {ref.label}" in flat
        assert " ".join(dosing_note_line(note.content).split()) in flat
    assert re.search(r"D\d+ \d+ days? after", flat)
    # A note that files no figure says what it worked on, as the Sessions tab does.
    general = [n for n in data.notes if n.template_id == "general"]
    assert general
    for note in general:
        story = note_story(note, data.template(note), {}, {})
        assert story and " ".join(story.split()) in flat


def test_a_summary_line_gives_a_boosted_dose_in_all(practice: Backend) -> None:
    """A dosing note's line gives what was given in all, as its header line does: the
    fields of the first dose alone (Dose, Dose per kg) would understate it."""
    options = dataclasses.replace(EVERYTHING, sections=("sessions",), detail="summaries")
    data = data_for(practice, "C-0001", options)
    note = next(n for n in data.chart.notes if n.template_id == "dosing" and n.signed)
    content = {**note.content, "dose_mg": 40, "weight_kg": 80,
               "boosters": [{"minutes_from_dose": 30, "dose_mg": 20}]}
    chart = dataclasses.replace(data.chart, notes=tuple(
        dataclasses.replace(n, content=content) if n is note else n for n in data.chart.notes))
    flat = _words(pages_text(render_report(dataclasses.replace(data, chart=chart))))
    assert "60 mg in all (40 mg + 20 mg booster), 0.75 mg/kg" in flat
    assert "Dose: 40 mg" not in flat and "0.5 mg/kg" not in flat


def test_drafts_are_left_out_unless_asked_for(practice: Backend) -> None:
    record_number = "C-0003"
    client_id = practice.clients.find(record_number).id
    practice.notes.create(client_id, "general", author_id=None,
                          session_date=TODAY - dt.timedelta(days=2))
    options = dataclasses.replace(EVERYTHING, sections=("sessions",))
    without = "\n".join(pages_text(render_report(data_for(practice, record_number, options))))
    assert "DRAFT" not in without
    asked = dataclasses.replace(options, include_drafts=True)
    with_drafts = "\n".join(pages_text(render_report(data_for(practice, record_number, asked))))
    assert "DRAFT: not signed" in with_drafts


def test_a_measure_given_in_a_note_reads_as_its_total_and_answers(practice: Backend) -> None:
    """A dosing note's CADSS is laid out in words, never as the data it is stored as."""
    data = data_for(practice, "C-0001", dataclasses.replace(EVERYTHING, sections=("sessions",)))
    given = [n.content["dissociation"] for n in data.notes
             if n.signed and n.template_id == "dosing" and n.content.get("dissociation")]
    assert given, "the demo client's dosing notes record a CADSS"
    text = " ".join(" ".join(pages_text(render_report(data))).split())
    instruments = load_instruments()
    for value in given:
        instrument = instruments[value["instrument"]]
        result = score(instrument, {int(k): v for k, v in value["answers"].items()})
        assert result.total is not None
        assert (f"{instrument.short_name}, {value['minutes_from_dose']} min after the dose: "
                f"Total {result.total} (of {instrument.total_max})") in text
    assert "Answers by item (item=answer): 1=" in text
    assert "'answers'" not in text and "{" not in text


def test_private_process_notes_only_when_asked_for(practice: Backend) -> None:
    data = data_for(practice, "C-0001", dataclasses.replace(EVERYTHING, sections=("sessions",)))
    note = next(n for n in data.notes if n.signed)
    marked = dataclasses.replace(note, content={**note.content,
                                                "private_notes": "Zebra-private-marker"})
    chart = dataclasses.replace(data.chart, notes=tuple(marked if n.id == note.id else n
                                                        for n in data.chart.notes))
    hidden = dataclasses.replace(data, chart=chart)
    assert "Zebra-private-marker" not in "\n".join(pages_text(render_report(hidden)))
    shown = dataclasses.replace(hidden, options=dataclasses.replace(data.options,
                                                                    include_private=True))
    assert "Zebra-private-marker" in "\n".join(pages_text(render_report(shown)))


def test_a_safety_flag_in_the_period_is_stated_in_words(practice: Backend) -> None:
    client_id = practice.clients.find("C-0002").id
    answers = {item: 1 for item in range(1, 10)}
    practice.measures.record(client_id, MeasureInput("phq9", TODAY - dt.timedelta(days=1),
                                                     "follow_up", answers), actor_id=None)
    data = practice.reports.data(client_id, dataclasses.replace(EVERYTHING,
                                                                sections=("measures",)))
    text = "\n".join(pages_text(render_report(data)))
    flat = " ".join(text.split())
    assert "safety flag" in flat
    assert re.search(r"SAFETY:.*item 9", flat)
    assert date_text(TODAY - dt.timedelta(days=1)) in flat
    # Each measure's flag says what answered it: the note that did, or that none has yet.
    followups = [f for f in safety_followups(data.chart) if data.start <= f.given_on]
    assert any(f.open for f in followups) and any(not f.open for f in followups)
    for followup in followups:
        if followup.open:
            assert "Open: the next note's risk check answers it" in flat
        else:
            assert f"Addressed in the note of {date_text(followup.addressed_on)}" in flat
    # Then what the latest risk check by the period's end found, and which note it is:
    # held with the flags' last row, so it never heads a page alone.
    risk = data.latest_risk_check
    assert risk is not None and risk.heading in flat and risk.said in flat
    *_flags, held = safety_flowables(data)
    frame = 500.0
    _width, height = held.wrap(frame, 10_000)
    parts = held.split(frame, height - 1)  # the page ends inside the last row and the line
    assert len(parts) >= 2 and risk.heading not in _drawn_text(parts[0])
    assert risk.heading in _drawn_text(parts[-1]) and "SAFETY" in _drawn_text(parts[-1])
    earlier = dataclasses.replace(data, end=risk.day - dt.timedelta(days=1))
    assert earlier.latest_risk_check is None or earlier.latest_risk_check.day < risk.day


def test_an_administration_entered_in_error_is_named_and_left_out(practice: Backend) -> None:
    client_id = practice.clients.find("C-0003").id
    day = TODAY - dt.timedelta(days=3)
    recorded = practice.measures.record(client_id, MeasureInput(
        "gad7", day, "follow_up", dict.fromkeys(range(1, 8), 3), repeat_confirmed=True),
        actor_id=None)
    wrong = recorded.value.administration.id
    practice.measures.mark_entered_in_error(wrong, "Entered for the wrong client",
                                            actor_id=None)
    data = practice.reports.data(client_id, dataclasses.replace(EVERYTHING,
                                                                sections=("measures",)))
    flat = " ".join(" ".join(pages_text(render_report(data))).split())
    assert ("Left out of every figure and chart: 1 administration of the period marked "
            f"entered in error: GAD-7 of {date_text(day)} (Entered for the wrong client).") in flat
    gad7 = data.measures.for_instrument("gad7")
    assert gad7 is not None and gad7.latest is not None
    assert gad7.latest.administration.id != wrong  # no figure counts it


def test_the_same_data_gives_the_same_bytes(practice: Backend) -> None:
    data = data_for(practice, "C-0003", EVERYTHING)
    assert render_report(data) == render_report(data)


def test_every_section_offered_has_its_builder() -> None:
    # The Reports tab and the command line offer the whole vocabulary without loading
    # reportlab: every term must have its builder.
    assert REPORT_SECTIONS.codes == ("summary", "measures", "targets", "ifs", "sessions")
    assert set(SECTION_BUILDERS) == set(REPORT_SECTIONS.codes)


def test_asking_for_a_section_that_is_not_there_says_so(
        practice: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every section has its builder today; asking for one without (a new vocabulary term
    # whose module is not written yet) says so.
    monkeypatch.delitem(SECTION_BUILDERS, "ifs")
    data = data_for(practice, "C-0001", dataclasses.replace(EVERYTHING, sections=("ifs",)))
    with pytest.raises(ValueError, match="IFS parts section is not available yet"):
        render_report(data)


def test_a_dose_with_boosters_is_given_in_all(practice: Backend) -> None:
    """The summary's dosing table gives what the client received: a first dose of 32.4 mg
    with a 16.2 mg booster is 48.6 mg in all, not 32.4 mg (as a note's header line
    says it)."""
    data = data_for(practice, "C-0001", dataclasses.replace(EVERYTHING, sections=("summary",)))
    first = data.chart.dosing_sessions[0]
    boosted = dataclasses.replace(first, dose_mg=32.4, weight_kg=64.7,
                                  boosters=(BoosterDTO(30, 16.2),))
    course = next(c for c in data.chart.courses if first in c.dosing_sessions)
    boosted_course = dataclasses.replace(course, dosing_sessions=tuple(
        boosted if d is first else d for d in course.dosing_sessions))
    chart = dataclasses.replace(data.chart, courses=tuple(
        boosted_course if c is course else c for c in data.chart.courses))
    text = _words(pages_text(render_report(dataclasses.replace(data, chart=chart))))
    assert "48.6 mg in all (32.4 mg + 16.2 mg booster), 0.75 mg/kg" in text
    for _ref, dose in data.doses[1:]:
        assert dose.dose_mg is not None
        assert cumulative_text(dose.dose_mg, [b.dose_mg for b in dose.boosters],
                               dose.weight_kg) in text


def test_a_note_with_pasted_paragraphs_in_its_one_line_fields_is_laid_out_whole(
        backend: Backend) -> None:
    """A one-line answer and a set's cell hold whatever was pasted into them; longer than
    a page, the report failed to lay them out. Every word is now in the PDF."""
    client = backend.clients.create(ClientInput(name="Pasted Example"), actor_id=None).value
    note = backend.notes.create(client.id, "emdr", author_id=None, session_date=TODAY).value
    interweave = " ".join(f"interweave{n}" for n in range(1200))
    report = " ".join(f"report{n}" for n in range(500))
    content = sample_note("emdr")
    content["interweaves_notes"] = interweave
    content["bls_sets"] = [{**content["bls_sets"][0], "client_report": report}]
    backend.notes.save_draft(note.id, content)
    data = backend.reports.data(client.id, ReportOptions(
        sections=("sessions",), include_drafts=True, start=dt.date(2000, 1, 1), end=TODAY))
    words = set(" ".join(pages_text(render_report(data))).split())
    assert {"interweave0", "interweave1199", "report0", "report499"} <= words


def test_a_custom_measure_with_a_long_name_is_named_once_and_whole_words(
        backend: Backend) -> None:
    """Its chart's heading gave the name twice ("name — name") and ran off the figure;
    the table cut "substances" between its letters."""
    name = "Urge to use substances before bed, rated by the client 0-10"
    urge = backend.measures.create_custom(CustomMeasureInput(
        name, 0, 10, False, reliable_change=3), actor_id=None).value
    client = backend.clients.create(ClientInput(name="Custom Example"), actor_id=None).value
    for days, value in ((30, 8), (20, 6), (10, 3)):
        backend.measures.record(client.id, MeasureInput(
            urge.id, TODAY - dt.timedelta(days=days), "integration", {1: value},
            repeat_confirmed=True), actor_id=None)
    data = backend.reports.data(client.id, ReportOptions(sections=("measures",),
                                                         start=dt.date(2000, 1, 1)))
    text = "\n".join(pages_text(render_report(data)))
    assert text.count(name) == 1 and "substance\ns" not in text
    assert "substances" in text.split()
    series = data.measures.for_instrument(urge.id)
    assert series is not None
    fig = build_trend_chart(series.instrument, series.points, width=6.5, height=3.6)
    (title,) = find_artists(fig, "title")
    assert title.get_text() == name  # once, and it fits: no ellipsis at this width
    narrow = build_trend_chart(series.instrument, series.points, width=3.0, height=3.6)
    (title,) = find_artists(narrow, "title")
    assert title.get_text().endswith("…") and name.startswith(title.get_text()[:-1])


def test_a_discharged_client_s_report_says_when_and_why_care_ended(
        full: tuple[ReportData, list[str]]) -> None:
    data, _pages = full
    day = TODAY - dt.timedelta(days=3)
    client = dataclasses.replace(data.client, status="discharged", discharged_on=day,
                                 status_history=(ClientStatusChangeDTO(
                                     "discharged", day, "Course complete; moved away"),))
    ended = dataclasses.replace(data, chart=dataclasses.replace(data.chart, client=client))
    first = pages_text(render_report(ended))[0]
    assert f"Discharged on {date_text(day)}: Course complete; moved away" \
        in " ".join(first.split())


def _drawn_text(flowable: Any) -> str:
    """The words a flowable draws, as a one-page PDF's text."""
    from io import BytesIO

    from reportlab.platypus import SimpleDocTemplate

    out = BytesIO()
    SimpleDocTemplate(out, pagesize=(600, 4000), invariant=1).build([flowable])
    return " ".join(" ".join(pages_text(out.getvalue())).split())
