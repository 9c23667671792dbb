"""The demo practice: reproducible, synthetic, and shaped like a real KAP caseload."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from models.demo import SURNAMES, DemoPlan, fill_items, generate_demo, generate_heavy_client
from models.services import chart, clients

TODAY = dt.date(2026, 11, 1)


def _totals(session: Session, client_id: int, instrument: str) -> list[float]:
    loaded = chart.load_client_chart(session, client_id)
    return [sum(v or 0 for _, v in a.responses[:9 if instrument == "phq9" else None])
            for a in loaded.administrations if a.instrument_id == instrument]


def test_same_seed_same_practice(session: Session) -> None:
    generate_demo(session, DemoPlan(clients=6, seed=42, today=TODAY))
    first = [(c.record_number, c.name, c.dosing_sessions)
             for c in clients.list_clients(session, today=TODAY)]
    totals = _totals(session, 1, "pcl5")
    session.rollback()
    generate_demo(session, DemoPlan(clients=6, seed=42, today=TODAY))
    assert [(c.record_number, c.name, c.dosing_sessions)
            for c in clients.list_clients(session, today=dt.date.today())] == first
    assert _totals(session, 1, "pcl5") == totals


def test_names_are_obviously_synthetic(session: Session) -> None:
    generate_demo(session, DemoPlan(clients=30, seed=1, today=TODAY))
    for c in clients.list_clients(session, today=dt.date.today()):
        assert c.name.split()[-1] in SURNAMES


def test_most_clients_improve_and_some_do_not(session: Session) -> None:
    generate_demo(session, DemoPlan(clients=40, seed=5, today=TODAY))
    improved = stuck = 0
    for c in clients.list_clients(session, today=dt.date.today()):
        totals = _totals(session, c.id, "phq9")
        if len(totals) < 4:
            continue
        if totals[-1] <= totals[0] - 6:
            improved += 1
        elif totals[-1] > totals[0] - 3:
            stuck += 1
    assert improved > 2 * stuck > 0


def test_every_client_has_a_course_with_dosing_and_both_kinds_occur(session: Session) -> None:
    generate_demo(session, DemoPlan(clients=20, seed=9, today=TODAY))
    kinds = set()
    in_preparation = 0
    for c in clients.list_clients(session, today=dt.date.today()):
        loaded = chart.load_client_chart(session, c.id)
        assert loaded.courses, c.record_number
        if not loaded.dosing_sessions:
            in_preparation += 1
            continue
        kinds |= {course.kind for course in loaded.courses}
        dissociation = {a.dosing_session_id for a in loaded.administrations
                        if a.instrument_id in ("cadss", "cadss6")}
        for d in loaded.dosing_sessions:
            assert d.session_date <= TODAY
            assert len(d.vitals) == 3 and d.id in dissociation
        assert loaded.targets and loaded.parts
    assert kinds == {"intensive", "spaced"}
    assert in_preparation <= 3


def test_two_hundred_clients_span_years(session: Session) -> None:
    plan = DemoPlan(clients=200, seed=3, today=TODAY)
    assert plan.span_days > 3 * 365


def test_heavy_client_has_the_requested_length(session: Session) -> None:
    cid = generate_heavy_client(session, sessions=60, today=TODAY)
    loaded = chart.load_client_chart(session, cid)
    assert len(loaded.dosing_sessions) == 12


def test_fill_items_hits_the_total_within_range() -> None:
    rng = random.Random(0)
    for total in (0, 7, 27, 40):
        values = fill_items(rng, 9, 3, total)
        assert sum(values) == min(total, 27) and all(0 <= v <= 3 for v in values)


def test_notes_of_every_template_flow_into_the_figures(session: Session) -> None:
    generate_demo(session, DemoPlan(clients=25, seed=2, today=TODAY))
    templates_seen, drafts, addenda, falling, rising = set(), 0, 0, 0, 0
    for c in clients.list_clients(session, today=dt.date.today()):
        loaded = chart.load_client_chart(session, c.id)
        signed_ids = {n.id for n in loaded.notes if n.signed}
        templates_seen |= {n.template_id for n in loaded.notes}
        drafts += loaded.unsigned_notes
        addenda += sum(len(n.addenda) for n in loaded.notes)
        for target in loaded.targets:
            # every rating came out of a signed note, as signing files it
            assert all(r.note_id in signed_ids for r in target.ratings)
            if len(target.ratings) >= 4:
                falling += target.ratings[-1].sud < target.ratings[0].sud
                rising += (target.ratings[-1].voc or 0) > (target.ratings[0].voc or 0)
        assert all(p.note_id in signed_ids for p in loaded.self_energy)
        assert all(h.note_id in signed_ids for h in loaded.part_history)
        for d in loaded.dosing_sessions:
            assert d.locked  # recorded by its signed dosing note
    assert templates_seen == {"preparation", "dosing", "emdr", "art", "ifs", "general"}
    assert drafts > 0 and addenda > 0
    assert falling > 5 and rising > 5
