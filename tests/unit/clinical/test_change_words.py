"""The change wording every screen, the report and the command line share, for the rules
the clinical review changed (hand-worked cases)."""

from __future__ import annotations

import datetime as dt

from models.clinical.measures import change_lines, change_sentence, outcome_words, rules_text
from models.instruments.change import change_summary
from models.instruments.loading import load_instruments
from models.instruments.scoring import score

INSTRUMENTS = load_instruments()
PHQ9, PCL5 = INSTRUMENTS["phq9"], INSTRUMENTS["pcl5"]
DAY = dt.date(2026, 3, 2)


def _phq9(total: int) -> dict[int, int | float | None]:
    answers: dict[int, int | float | None] = {}
    for item in range(1, 10):
        answers[item] = min(3, max(0, total - 3 * (item - 1)))
    return answers


def _pcl5(total: int) -> dict[int, int | float | None]:
    answers: dict[int, int | float | None] = {}
    for item in range(1, 21):
        answers[item] = min(4, max(0, total - 4 * (item - 1)))
    return answers


def test_a_phq9_baseline_below_10_says_response_and_remission_are_not_judged() -> None:
    summary = change_summary(PHQ9, [(DAY, score(PHQ9, _phq9(8))),
                                    (DAY + dt.timedelta(days=28), score(PHQ9, _phq9(2)))])
    assert (summary.response, summary.remission) == (None, None)
    assert outcome_words(summary) == [
        "reliable improvement",
        "response and remission are judged only from a baseline of 10 or more"]
    heading, detail = change_lines(PHQ9, summary)
    assert heading == ("Reliable improvement  ·  Response and remission are judged only from "
                       "a baseline of 10 or more")
    assert "response a 50% drop from baseline of 10 or more" in detail
    assert change_sentence(PHQ9, summary).endswith(
        "reliable improvement; response and remission are judged only from a baseline of 10 "
        "or more.")


def test_the_pcl5_wording_names_clinically_significant_change() -> None:
    # 50 -> 28: 22 points down (reliable: 15 or more), past the 10-point minimal important
    # difference, and ending at 28: clinically significant.
    summary = change_summary(PCL5, [(DAY, score(PCL5, _pcl5(50))),
                                    (DAY + dt.timedelta(days=56), score(PCL5, _pcl5(28)))])
    assert outcome_words(summary) == ["reliable improvement", "clinically meaningful change",
                                      "clinically significant change"]
    assert rules_text(PCL5) == (
        "Reliable change is 15 or more points; clinically meaningful 10 or more; clinically "
        "significant a reliable improvement ending at 28 or below.")
