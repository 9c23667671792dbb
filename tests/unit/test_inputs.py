"""The checks the windows and the backend share."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import VaultError
from models.inputs import MIN_PASSPHRASE, passphrase_problem, words_match
from models.vault import create_vault


def test_the_passphrase_minimum_is_one_rule() -> None:
    problem = passphrase_problem("x" * (MIN_PASSPHRASE - 1))
    assert problem is not None and f"use at least {MIN_PASSPHRASE} characters" in problem
    assert passphrase_problem("correct horse battery") is None


def test_client_search_needs_every_word_in_any_order_and_case() -> None:
    fields = ("Ada Example", "Ada", "C-0001")
    assert words_match("", *fields)
    assert words_match("example ADA", *fields)
    assert words_match("c-0001", *fields)
    assert not words_match("ada sample", *fields)


def test_client_search_sets_accents_aside_as_the_notes_search_does() -> None:
    """"Jose" did not find "José", nor "zoe" "Zoë"; a name typed with a decomposed accent
    (as some keyboards and pasted text give it) was not found by the same name typed
    precomposed."""
    assert words_match("jose", "José Núñez", "", "C-0002")
    assert words_match("NUNEZ zoe", "Zoë Núñez", "", "C-0003")
    assert words_match("José", "José", "", "C-0004")  # decomposed é
    assert words_match("José", "José", "", "C-0004")
    assert words_match("דוד", "דָּוִד כהן", "", "C-0005")  # a pointed Hebrew name
    assert words_match("محمد", "مُحَمَّد", "", "C-0006")  # with harakat
    assert not words_match("josef", "José Núñez", "", "C-0002")


def test_the_vault_refuses_a_short_passphrase_as_the_window_does(tmp_path: Path) -> None:
    with pytest.raises(VaultError) as info:
        create_vault(tmp_path / "v.iwvault", "short")
    assert str(info.value) == passphrase_problem("short")
    assert not (tmp_path / "v.iwvault").exists()


def test_a_date_is_read_as_people_type_it() -> None:
    import datetime as dt

    from models.formatting import parse_date_text

    today = dt.date(2026, 11, 1)
    for typed in ("12 Oct 2025", "12 oct 2025", "12/10/2025", "12.10.25", "2025-10-12",
                  "12102025", "Oct 12 2025", "12 October 2025"):
        assert parse_date_text(typed, today=today) == dt.date(2025, 10, 12), typed
    assert parse_date_text("5 Mar", today=today) == dt.date(2026, 3, 5)
    assert parse_date_text("3 Mar 84", today=today) == dt.date(1984, 3, 3)
    for nonsense in ("", "12", "31 Feb 2025", "12 Ma 2025", "soon", "12/13/2025"):
        assert parse_date_text(nonsense, today=today) is None, nonsense


def test_how_long_something_has_waited_is_said_in_days() -> None:
    import datetime as dt

    from models.formatting import ago_text, days_since_text

    today = dt.date(2026, 11, 1)
    assert [days_since_text(today - dt.timedelta(days=n), today)
            for n in (0, 1, 12, -2)] == ["today", "1 day", "12 days", "in 2 days"]
    assert [ago_text(today - dt.timedelta(days=n), today)
            for n in (0, 1, 12, -2)] == ["today", "1 day ago", "12 days ago", "in 2 days"]


def test_a_discharge_needs_a_reason_and_a_day_that_has_come() -> None:
    import datetime as dt

    from models.inputs import StatusChangeInput, validate_status_change

    today = dt.date(2026, 11, 1)
    assert validate_status_change(StatusChangeInput(today, "Course complete"),
                                  today=today) == {}
    problems = validate_status_change(StatusChangeInput(today + dt.timedelta(1), " "),
                                      today=today)
    assert set(problems) == {"on", "reason"}


def test_a_cadss_repeat_is_per_dose_not_per_day() -> None:
    import datetime as dt

    from models.dto import AdministrationDTO
    from models.inputs import MeasureInput, repeat_warning
    from models.instruments.loading import load_instruments

    cadss = load_instruments()["cadss"]
    day = dt.date(2026, 10, 1)
    earlier = [AdministrationDTO(1, 1, "cadss", 1, day, "after_dose", 5, None, ())]
    again = MeasureInput("cadss", day, "after_dose", {1: 1}, dosing_session_id=5)
    other_dose = MeasureInput("cadss", day, "after_dose", {1: 1}, dosing_session_id=6)
    assert "already saved for this dosing session" in repeat_warning(again, cadss, earlier)
    assert repeat_warning(other_dose, cadss, earlier) == ""
