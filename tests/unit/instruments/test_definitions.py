"""What the bundled definitions say: exact item wording, unscored items, rules and sources."""

from __future__ import annotations

from .samples import CADSS, CADSS6, GAD7, PCL5, PHQ9


def test_item_wording_is_exact() -> None:
    assert GAD7.items[0].text == "Feeling nervous, anxious, or on edge"
    assert PHQ9.items_by_number[6].text == (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down"
    )
    assert PHQ9.items_by_number[8].text is not None
    assert PHQ9.items_by_number[8].text.startswith(
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    )
    assert PCL5.items_by_number[17].text == 'Being "superalert" or watchful or on guard?'
    assert PCL5.instructions == "In the past month, how much were you bothered by:"
    assert GAD7.answer_labels == (
        "Not at all", "Several days", "More than half the days", "Nearly every day",
    )
    assert PCL5.items[0].label_for(4) == "Extremely"


def test_cadss_carries_no_copyrighted_wording() -> None:
    for instrument in (CADSS, CADSS6):
        assert all(item.text is None for item in instrument.items)
        assert instrument.answer_labels == ()
        assert not instrument.item_text_included
        assert instrument.notice and "copyrighted" in instrument.notice
    assert CADSS.items[4].display_text == "Item 5"
    assert [item.number for item in CADSS6.items] == [1, 2, 6, 7, 15, 22]
    assert CADSS.subscale("cadss6").items == (1, 2, 6, 7, 15, 22)


def test_phq9_difficulty_question_is_unscored_with_its_own_labels() -> None:
    difficulty = PHQ9.items_by_number[10]
    assert not difficulty.scored
    assert difficulty.labels == (
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult",
    )


def test_footnotes_name_each_rule_and_its_source() -> None:
    notes = "\n".join(PHQ9.footnotes())
    for expected in (
        "Severity bands: minimal 0–4, mild 5–9, moderate 10–14, moderately severe 15–19, "
        "severe 20–27 (Kroenke et al. 2001)",
        "Safety flag: item 9 at 1 or above",
        "Reliable change: a change of 6 or more points from baseline (IAPT Data Handbook 2011)",
        "Response: total 50% or more below baseline, judged from a baseline of 10 or more "
        "(Kroenke & Spitzer 2002)",
        "Remission: total below 5, judged from a baseline of 10 or more (Kroenke & Spitzer "
        "2002)",
        "Safety flag: item 9 at 1 or above raises a flag whatever the total (PHQ and GAD-7 "
        "Instruction Manual",
    ):
        assert expected in notes
    assert "Spitzer et al. 2006" in "\n".join(GAD7.footnotes())
    pcl = "\n".join(PCL5.footnotes())
    assert "total 33 or above (National Center for PTSD: a cut-off between 31 and 33)" in pcl
    assert ("Reliable change: a change of 15 or more points from baseline (Marx et al. 2022, "
            "Psychological Assessment 34:197; 18 points in their second sample)") in pcl
    assert ("Clinically meaningful change (minimal important difference): a change of 10 or "
            "more points from baseline (Blanchard et al. 2023, J Trauma Stress 36:1102; 9 to "
            "12 in primary care)") in pcl
    assert ("Clinically significant change: a reliable improvement ending at 28 or below "
            "(Marx et al. 2022, Psychological Assessment 34:197)") in pcl
    assert "Weathers et al. 2013" not in pcl.split("Reliable change")[1]
    assert "Bremner et al. 1998" in "\n".join(CADSS.footnotes())
    assert CADSS.title.endswith("23 subjective items")
    assert "observer-rated items are not recorded" in (CADSS.notice or "")
    six = "\n".join(CADSS6.footnotes())
    assert "Validation: not yet validated (Rodrigues et al. 2021)" in six
    assert not CADSS6.validated and "not yet validated" in CADSS6.title


def test_gad7_difficulty_question_is_unscored_like_the_phq9s() -> None:
    difficulty = GAD7.items_by_number[8]
    assert not difficulty.scored and GAD7.total_max == 21
    assert difficulty.labels == PHQ9.items_by_number[10].labels
