"""Figure extraction: the SUD/VoC, vitals, dose and parts a signed note files away."""

from __future__ import annotations

import pytest

from models.templates.extraction import (
    BoosterDose,
    ExtractedFigures,
    MeasureReading,
    PartStatusChange,
    Reevaluation,
    TargetRating,
    VitalsReading,
    extract_figures,
)
from models.templates.loading import TemplateRegistry

from .samples import sample_note


def test_extract_emdr_ratings_and_reevaluation(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("emdr"), sample_note("emdr"))
    assert figures.target == TargetRating(
        target_id=12, sud_start=8, sud_end=2, voc_start=3, voc_end=6
    )
    assert figures.reevaluation == Reevaluation(target_id=7, sud=1, voc=6)
    assert figures.vitals == () and figures.self_energy is None


def test_extract_art_ratings_have_no_voc(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("art"), sample_note("art"))
    assert figures.target == TargetRating(target_id=21, sud_start=9, sud_end=1)
    assert figures.reevaluation is None


def test_extract_dosing_vitals_dissociation_and_dose(bundled: TemplateRegistry) -> None:
    note = sample_note("dosing")
    note["vitals"].append({})  # an empty trailing row, as a form may leave it
    figures = extract_figures(bundled.latest("dosing"), note)
    assert figures.vitals == (
        VitalsReading(minutes_from_dose=-10, systolic=128, diastolic=82, heart_rate=74, spo2=98,
                      respiratory_rate=14, moaas=5),
        VitalsReading(minutes_from_dose=40, systolic=142, diastolic=90, heart_rate=80,
                      respiratory_rate=12, moaas=3),
        VitalsReading(minutes_from_dose=120, systolic=126, diastolic=80, heart_rate=72, spo2=99,
                      respiratory_rate=14, moaas=5),
    )
    # The session's sedation is the deepest reading; the CADSS goes to Measures as items.
    assert (figures.cadss_total, figures.cadss6, figures.moaas) == (None, None, 3)
    assert figures.dissociation == MeasureReading(
        "cadss6", ((1, 2), (2, 1), (6, 2), (7, 1), (15, 2), (22, 1)), 40)
    assert figures.dose_time == "10:15"
    assert figures.boosters == (BoosterDose(30, 10.0),)
    assert (figures.dose_mg, figures.weight_kg, figures.mg_per_kg) == (35.0, 70.0, 0.5)
    assert figures.target is None


def test_extract_a_first_version_dosing_note(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.get("dosing", 1), sample_note("dosing", 1))
    assert (figures.cadss_total, figures.cadss6, figures.moaas) == (31, 9, 4)
    assert figures.vitals[0] == VitalsReading(minutes_from_dose=-10, systolic=128, diastolic=82,
                                              heart_rate=74, spo2=98)
    assert figures.dissociation is None and figures.dose_time is None


def test_extract_ifs_self_energy_and_part_status(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("ifs"), sample_note("ifs"))
    assert figures.self_energy == 6
    assert figures.parts_worked == (3, 5)
    assert figures.part_status_changes == (
        PartStatusChange(part_id=3, new_status="befriended"),
        PartStatusChange(part_id=5, new_status="witnessed"),
    )


@pytest.mark.parametrize("template_id", ["preparation", "general"])
def test_templates_without_tags_extract_nothing(
    bundled: TemplateRegistry, template_id: str
) -> None:
    template = bundled.latest(template_id)
    assert extract_figures(template, sample_note(template_id)) == ExtractedFigures()


def test_ratings_without_a_target_are_not_extracted(bundled: TemplateRegistry) -> None:
    note = sample_note("emdr")
    del note["target"]
    assert extract_figures(bundled.latest("emdr"), note).target is None
