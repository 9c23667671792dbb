"""The vocabulary: one label and one order for every code the record stores."""

from __future__ import annotations

import pytest

from models import entities, vocabulary
from models.vocabulary import COURSE_KINDS, ROUTES, Term, Vocabulary


def test_a_code_has_one_label_and_a_short_form() -> None:
    assert ROUTES.label("intramuscular") == "Intramuscular"
    assert ROUTES.short("intramuscular") == "IM"
    assert ROUTES.short("oral") == "Oral"  # no short form: the label
    assert COURSE_KINDS.label("spaced") == "Spaced program"


def test_an_unknown_code_reads_as_words_not_as_a_crash() -> None:
    assert ROUTES.label("subcutaneous_pump") == "Subcutaneous pump"
    assert ROUTES.label(None) == "—"
    assert ROUTES.rank("subcutaneous_pump") == len(ROUTES)


def test_a_vocabulary_refuses_a_code_twice() -> None:
    with pytest.raises(ValueError, match="repeats a code"):
        Vocabulary("broken", Term("a", "A"), Term("a", "Again"))


def test_the_database_accepts_exactly_the_vocabulary() -> None:
    assert vocabulary.CARE_RELATIONS.codes == entities.CARE_RELATIONS
    assert vocabulary.TARGET_STATUSES.codes == entities.TARGET_STATUSES
    assert vocabulary.PART_RELATIONS.codes == entities.RELATION_KINDS
