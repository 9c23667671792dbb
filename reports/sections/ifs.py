"""IFS parts: the parts map as it stood at the end of the period, drawn as vectors (the
figure the Parts tab saves as an image), its relations in words, the parts on it, and the
parts' status changes in the period."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.clinical.parts_map import (
    PartsMap,
    burdens_text,
    change_source_text,
    relation_text,
    status_change_text,
)
from models.formatting import EMPTY, date_text
from models.report_data import ReportData
from models.vocabulary import PART_STATUSES, PART_TYPES, REPORT_SECTIONS
from reports.pdf.fonts import markup
from reports.pdf.layout import (
    data_table,
    grown_figure,
    heading,
    heading_paragraph,
    keep,
    rich,
    text,
)
from reports.pdf.page import FRAME_WIDTH

MAP_WIDTH_IN = FRAME_WIDTH / 72
# At most the page under the section's headings, with a line of relations below: the
# larger the map, the more room its names have between the parts.
MAP_TALLEST_IN = 7.4


def _map_figure(parts_map: PartsMap) -> Flowable:
    from reports.parts_map import build_parts_map, fitted_height

    height = fitted_height(parts_map, MAP_WIDTH_IN, tallest=MAP_TALLEST_IN)
    return grown_figure(lambda height: build_parts_map(parts_map, width=MAP_WIDTH_IN,
                                                       height=height), height, "parts map")


def relations_flowables(parts_map: PartsMap, data: ReportData) -> list[Flowable]:
    """The map's relations as sentences, for a reader who cannot follow every line."""
    if not parts_map.relations:
        return [text("No relation between parts is on the map.", "small")]
    names = {**{p.id: p.name for p in data.chart.parts}, **{p.id: p.name for p in parts_map.parts}}
    lines = "; ".join(markup(relation_text(r, names)) for r in parts_map.relations)
    return [rich(f"<b>Relations:</b> {lines}.", "small")]


def parts_table(parts_map: PartsMap, data: ReportData) -> list[Flowable]:
    """The parts on the map: type, status and trust in Self as the map shows them; role,
    burdens and first seen from the registry."""
    registry = {p.id: p for p in data.chart.parts}
    rows = []
    for shown in sorted(parts_map.parts, key=lambda p: (PART_TYPES.rank(p.part_type),
                                                        p.name.casefold())):
        part = registry.get(shown.id)
        lines = []
        if part is not None and part.role.strip():
            lines.append(f"Role: {part.role.strip()}")
        burdens = burdens_text(part) if part is not None else ""
        if burdens:
            lines.append(f"Burdens: {burdens}")
        rows.append([shown.name, PART_TYPES.label(shown.part_type),
                     PART_STATUSES.label(shown.status),
                     f"{shown.trust_in_self}/10" if shown.trust_in_self is not None else EMPTY,
                     date_text(part.first_seen) if part is not None else EMPTY,
                     "\n".join(lines) or EMPTY])
    return [data_table(["Part", "Type", "Status", "Trust in Self", "First seen",
                        "Role and burdens"], rows, [0.17, 0.12, 0.14, 0.1, 0.14, 0.33],
                       first_bold=True)]


def status_changes(data: ReportData) -> list[Flowable]:
    changes = data.part_changes
    if not changes:
        return [text("No part changed status in the period.", "muted")]
    names = {p.id: p.name for p in data.chart.parts}
    notes = {n.id: n for n in data.chart.notes}
    rows = [[date_text(c.changed_on), names.get(c.part_id, f"Part #{c.part_id}"),
             status_change_text(c), change_source_text(c, notes)] for c in changes]
    return [data_table(["Date", "Part", "Change", "Recorded by"], rows,
                       [0.15, 0.3, 0.3, 0.25])]


def ifs_section(data: ReportData) -> list[Flowable]:
    shown = data.parts_map
    parts_map = shown.parts_map
    title = REPORT_SECTIONS.label("ifs")
    out: list[Flowable] = []
    if parts_map is None:
        out += [*heading(title), text(shown.source, "muted")]
    elif not parts_map.parts:
        out += [*heading(title), text(f"{shown.source} No part is on it.", "muted")]
    else:
        # The section's heading and the words that say which map it is stay with the map.
        out.append(keep([heading_paragraph(title),
                                 heading_paragraph("The parts map at the end of the period", 1),
                                 text(shown.source, "muted"), _map_figure(parts_map),
                                 *relations_flowables(parts_map, data)]))
        # A short table stays with its heading, on one page; a long one may still split.
        out.append(keep([heading_paragraph("Parts on the map", 1),
                         *parts_table(parts_map, data)]))
    out.append(keep([heading_paragraph("Status changes in the period", 1),
                     *status_changes(data)]))
    return out
