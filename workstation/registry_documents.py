"""What `workstation targets` and `workstation parts` print: the JSON documents and their
plain-text form, built from a client's chart (the README documents the JSON keys; add
keys, never rename them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.clinical.parts_map import (
    chart_map,
    relation_text,
    self_energy_on,
    snapshot_map,
)
from models.clinical.targets import change_text, status_offer, summarise_target
from models.dto import ClientChart, MapSnapshotDTO, TargetDTO
from models.formatting import date_text
from models.vocabulary import (
    PART_STATUSES,
    PART_TYPES,
    RATING_POINTS,
    TARGET_FIELDS,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _target(target: TargetDTO, names: dict[int, str]) -> dict[str, Any]:
    summary = summarise_target(target)
    offer = status_offer(target)
    return {
        "id": target.id,
        "label": target.label,
        "kind": target.kind,
        "prong": target.prong,
        "touchstone": target.touchstone,
        "found_by": target.found_by or None,
        "image": target.image,
        "negative_cognition": target.negative_cognition,
        "positive_cognition": target.positive_cognition,
        "emotions": target.emotions,
        "body_location": target.body_location,
        "baseline_sud": summary.baseline_sud,
        "baseline_voc": summary.baseline_voc,
        "latest_sud": summary.latest_sud,
        "latest_voc": summary.latest_voc,
        "sessions_worked": summary.sessions_worked,
        "last_worked": _iso(summary.last_worked),
        "status": target.status,
        "identified_on": target.identified_on.isoformat(),
        "part": {"id": target.part_id, "name": names.get(target.part_id)}
        if target.part_id is not None else None,
        "offer": {"status": offer.status, "reason": offer.reason} if offer else None,
        "ratings": [
            {"date": r.rated_on.isoformat(), "point": r.point, "sud": r.sud, "voc": r.voc,
             "note_id": r.note_id}
            for r in sorted(target.ratings, key=lambda r: (
                r.rated_on, RATING_POINTS.rank(r.point), r.id))
        ],
        "history": [
            {"changed_at": h.changed_at.isoformat(timespec="seconds"), "field": h.field,
             "old": h.old_value, "new": h.new_value, "note_id": h.note_id}
            for h in target.history
        ],
    }


def targets_document(chart: ClientChart) -> dict[str, Any]:
    """Every target of the client with its fields, status, part and ratings."""
    names = {p.id: p.name for p in chart.parts}
    return {"client": chart.client.record_number,
            "targets": [_target(t, names) for t in chart.targets]}


def targets_text(document: dict[str, Any]) -> list[str]:
    lines = [f"Targets for {document['client']}"]
    if not document["targets"]:
        lines.append("  No targets in the registry yet.")
    for t in document["targets"]:
        touchstone = ", touchstone" if t["touchstone"] else ""
        lines.append(f"  #{t['id']} {t['label']}")
        lines.append(
            f"      {TARGET_KINDS.label(t['kind'])}, {TARGET_PRONGS.label(t['prong']).lower()}"
            f"{touchstone}; {TARGET_STATUSES.label(t['status']).lower()}; identified "
            f"{date_text(dt.date.fromisoformat(t['identified_on']))}")
        lines.append(
            f"      SUD {change_text(t['baseline_sud'], t['latest_sud'])}, VoC "
            f"{change_text(t['baseline_voc'], t['latest_voc'])}; {t['sessions_worked']} "
            f"session(s) worked" + (f", last {t['last_worked']}" if t["last_worked"] else ""))
        if t["part"] is not None:
            lines.append(f"      carried by {t['part']['name'] or 'part #' + str(t['part']['id'])}")
        for label in ("negative_cognition", "positive_cognition"):
            if t[label]:
                lines.append(f"      {TARGET_FIELDS.label(label)}: {t[label]}")
        for r in t["ratings"]:
            sud = "-" if r["sud"] is None else r["sud"]
            voc = "-" if r["voc"] is None else r["voc"]
            note = f" (note #{r['note_id']})" if r["note_id"] else " (by hand)"
            lines.append(f"      {r['date']}  {r['point']:<12} SUD {sud!s:>2}  VoC {voc!s:>2}"
                         + note)
        if t["offer"]:
            lines.append(f"      Offered: {TARGET_STATUSES.label(t['offer']['status']).lower()}"
                         f" ({t['offer']['reason']})")
    return lines


def parts_document(chart: ClientChart, snapshot: MapSnapshotDTO | None = None,
                   at: dt.date | None = None) -> dict[str, Any]:
    """The parts, their relations and statuses now, or as a snapshot kept them."""
    every_name = {p.id: p.name for p in chart.parts}
    if snapshot is None:
        shown = chart_map(chart)
        registry = {p.id: p for p in chart.parts}
    else:
        shown = snapshot_map(snapshot, chart.self_energy)
        registry = {}
    names = {**every_name, **{p.id: p.name for p in shown.parts}}
    carried: dict[int, list[int]] = {}
    for target in chart.targets:
        if target.part_id is not None:
            carried.setdefault(target.part_id, []).append(target.id)
    parts = []
    for p in shown.parts:
        entry: dict[str, Any] = {"id": p.id, "name": p.name, "type": p.part_type,
                                 "status": p.status, "trust_in_self": p.trust_in_self,
                                 "x": p.x, "y": p.y}
        full = registry.get(p.id)
        if full is not None:
            entry.update({
                "age_appearance": full.age_appearance, "body_location": full.body_location,
                "role": full.role, "fears": full.fears,
                "burdens_personal": full.burdens_personal,
                "burdens_legacy": full.burdens_legacy,
                "first_seen": full.first_seen.isoformat(),
                "targets": carried.get(p.id, []),
            })
        parts.append(entry)
    limit = snapshot.taken_on if snapshot is not None else None
    return {
        "client": chart.client.record_number,
        "at": _iso(at),
        "snapshot": {"taken_on": snapshot.taken_on.isoformat(), "note_id": snapshot.note_id}
        if snapshot is not None else None,
        "self_energy": self_energy_on(chart.self_energy, limit),
        "parts": parts,
        "relations": [
            {"kind": r.kind, "from": r.from_part_id, "to": r.to_part_id,
             "text": relation_text(r, names)}
            for r in shown.relations
        ],
        "status_history": [
            {"date": h.changed_on.isoformat(), "part_id": h.part_id,
             "part": every_name.get(h.part_id), "old": h.old_status, "new": h.new_status,
             "note_id": h.note_id}
            for h in chart.part_history if limit is None or h.changed_on <= limit
        ],
    }


def parts_text(document: dict[str, Any]) -> list[str]:
    snapshot = document["snapshot"]
    when = (f" as kept on {date_text(dt.date.fromisoformat(snapshot['taken_on']))} "
            f"(IFS note #{snapshot['note_id']})" if snapshot else " now")
    energy = document["self_energy"]
    lines = [f"Parts map for {document['client']}{when}",
             f"  Self-energy: {energy}/10 (a clinician's rating, not a validated measure)"
             if energy is not None else "  Self-energy: not rated yet"]
    if not document["parts"]:
        lines.append("  No parts on the map.")
    for p in document["parts"]:
        trust = f", trust in Self {p['trust_in_self']}/10" if p["trust_in_self"] is not None \
            else ""
        lines.append(f"  #{p['id']} {p['name']}: {PART_TYPES.label(p['type']).lower()}, "
                     f"{PART_STATUSES.label(p['status']).lower()}{trust}")
        burdens = "; ".join(b for b in (p.get("burdens_personal"), p.get("burdens_legacy")) if b)
        if burdens:
            lines.append(f"      burdens: {burdens}")
    for r in document["relations"]:
        lines.append(f"  {r['text']}")
    if document["status_history"]:
        lines.append("  Status history:")
    for h in document["status_history"]:
        source = f"note #{h['note_id']}" if h["note_id"] else "by hand"
        old = PART_STATUSES.label(h["old"]).lower() if h["old"] else "—"
        lines.append(f"    {h['date']}  {h['part']}: {old} → "
                     f"{PART_STATUSES.label(h['new']).lower()} ({source})")
    return lines
