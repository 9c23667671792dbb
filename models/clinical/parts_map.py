"""The IFS parts map as data: now or on a date, its geometry, and what changed since.

One map for every view: the editor in the Parts tab, the read-only history view, the
matplotlib figure in reports/ (the PDF) and the command line all take a `PartsMap` from
here. Self sits at the centre (0, 0) and is no part; its size follows the latest
Self-energy rating (a clinician's 0 to 10 rating, not a validated measure). Map units
are screen pixels at 100 % zoom, y pointing down, as Qt draws; reports/ flips y.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from models.dto import (
    ClientChart,
    MapPartDTO,
    MapRelationDTO,
    MapSnapshotDTO,
    NoteDTO,
    PartDTO,
    PartRelationDTO,
    PartStatusChangeDTO,
    SelfEnergyPoint,
)
from models.formatting import EMPTY, date_text
from models.vocabulary import (
    DIRECTED_RELATIONS,
    MODALITIES,
    PART_RELATIONS,
    PART_STATUSES,
    PART_TYPES,
    RELATION_ENDS,
)

# Geometry shared by every drawing of the map, in map units.
PART_SIZE = 64.0  # a part's shape fits a square of this side
SELF_MIN_RADIUS = 24.0  # Self at energy 0 ...
SELF_MAX_RADIUS = 58.0  # ... and at 10
SELF_UNRATED_RADIUS = 34.0  # no Self-energy rating yet
CHANGED_RING = PART_SIZE * 0.68  # the ring round a part whose status has changed since
PROTECTOR_RING = 190.0  # where a new manager, firefighter or unknown part is placed
EXILE_RING = 330.0  # exiles further out, behind their protectors
SELF_ENERGY_NOTE = "Self-energy is a clinician's 0–10 rating, not a validated measure."

# Where on its ring a new part of each type goes first (degrees, 0 = right, 90 = down).
_START_ANGLE = {"manager": -90.0, "firefighter": 90.0, "exile": -90.0, "unknown": 0.0}
_ANGLES = 72


def ring_of(part_type: str) -> float:
    """How far from Self a part of this type is placed."""
    return EXILE_RING if part_type == "exile" else PROTECTOR_RING


def place_part(part_type: str, taken: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """A free place for a new part on its type's ring (exiles on the outer one): the
    place farthest from every part already on the map, so parts spread around Self.
    Among equally free places the type's own side wins (managers above Self,
    firefighters below)."""
    radius = ring_of(part_type)
    occupied = list(taken)
    start = math.radians(_START_ANGLE.get(part_type, 0.0))
    best = (0.0, 0.0)
    best_room = -1.0
    for step in range(_ANGLES):
        # 0, +5, -5, +10, -10 ... degrees from the preferred angle: ties keep the nearest.
        offset = (step + 1) // 2 * (1 if step % 2 else -1) * (2 * math.pi / _ANGLES)
        angle = start + offset
        x, y = radius * math.cos(angle), radius * math.sin(angle)
        room = min((math.hypot(x - ox, y - oy) for ox, oy in occupied), default=math.inf)
        if room > best_room + 1e-6:
            best, best_room = (round(x, 1), round(y, 1)), room
    return best


def _circular_mean(angles: Sequence[float]) -> float | None:
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    if math.hypot(x, y) < 0.2 * max(len(angles), 1):
        return None  # spread all round: no side to sit on
    return math.atan2(y, x)


def arrange(parts: Sequence[MapPartDTO],
            relations: Sequence[MapRelationDTO]) -> dict[int, tuple[float, float]]:
    """A tidy layout: managers on an arc above Self, firefighters below, parts of a type
    not known yet at the sides; each exile on the outer ring behind the protectors that
    protect it."""
    placed: dict[int, tuple[float, float]] = {}
    angle_of: dict[int, float] = {}
    arcs = (("manager", -90.0), ("firefighter", 90.0))
    for part_type, centre in arcs:
        group = sorted((p for p in parts if p.part_type == part_type), key=lambda p: p.id)
        spacing = min(50.0, 160.0 / max(len(group) - 1, 1))
        for index, part in enumerate(group):
            angle_of[part.id] = math.radians(centre + (index - (len(group) - 1) / 2) * spacing)
    # Parts of a type not known yet sit at the sides, right and left in turn.
    others = sorted((p for p in parts if p.part_type not in ("manager", "firefighter",
                                                               "exile")), key=lambda p: p.id)
    for index, part in enumerate(others):
        side = 0.0 if index % 2 == 0 else 180.0
        angle_of[part.id] = math.radians(side + (index // 2) * 24.0 * (1 if side else -1))
    for part_id, angle in angle_of.items():
        placed[part_id] = (PROTECTOR_RING * math.cos(angle), PROTECTOR_RING * math.sin(angle))
    exiles = sorted((p for p in parts if p.part_type == "exile"), key=lambda p: p.id)
    wanted: list[tuple[float, int]] = []
    loose: list[int] = []
    for exile in exiles:
        sources = [angle_of[r.from_part_id] for r in relations
                   if r.kind == "protects" and r.to_part_id == exile.id
                   and r.from_part_id in angle_of]
        mean = _circular_mean(sources) if sources else None
        if mean is None:
            loose.append(exile.id)
        else:
            wanted.append((mean, exile.id))
    # Exiles with no protector of their own: at the sides, right and left in turn.
    for index, exile_id in enumerate(loose):
        side = 0.0 if index % 2 == 0 else 180.0
        wanted.append((math.radians(side + (index // 2) * 20.0), exile_id))
    wanted.sort()
    gap = 1.5 * PART_SIZE / EXILE_RING  # radians between two exiles' centres
    angles = [a for a, _ in wanted]
    for _ in range(len(angles) * 2):  # push neighbours apart until none overlap
        moved = False
        for i in range(1, len(angles)):
            if angles[i] - angles[i - 1] < gap:
                push = (gap - (angles[i] - angles[i - 1])) / 2
                angles[i - 1] -= push
                angles[i] += push
                moved = True
        if not moved:
            break
    for angle, (_, exile_id) in zip(angles, wanted, strict=True):
        placed[exile_id] = (EXILE_RING * math.cos(angle), EXILE_RING * math.sin(angle))
    return {pid: (round(x, 1), round(y, 1)) for pid, (x, y) in placed.items()}


def label_below(part_type: str, y: float) -> bool:
    """Whether a part's name goes under its shape, on the side where lines seldom run:
    an exile's away from Self, a protector's toward Self (its lines to the exiles it
    protects run outward)."""
    return y >= 0 if part_type == "exile" else y < 0


# Where a part's name and status may go round its shape. Its own side comes first (under
# or over it, by label_below); then beside it, outward from Self first; then its other
# side, where its lines mostly run.
LABEL_SPOTS = ("below", "above", "right", "left")
Box = tuple[float, float, float, float]  # left, top, right, bottom, in map units


# A part's name on the map takes at most NAME_LINES lines of about NAME_LINE_CHARS
# characters: a descriptive name (up to 120 characters) stays by its shape, and the
# tooltip, the table and the report's list of parts give it whole.
NAME_LINE_CHARS = 26
NAME_LINES = 3


def name_lines(name: str) -> tuple[str, ...]:
    """A part's name as the map writes it: broken between words, the last line ending
    in "…" when the name is longer than NAME_LINES lines."""
    lines = textwrap.wrap(name, NAME_LINE_CHARS, max_lines=NAME_LINES, placeholder=" …")
    return tuple(lines) or (name,)


def own_label_spot(part_type: str, y: float) -> str:
    """A part's label's own place: "below" or "above" its shape (label_below)."""
    return "below" if label_below(part_type, y) else "above"

_GRID = 40.0  # map units: the side of a cell of place_labels' index


@dataclass(frozen=True)
class LabelAsk:
    """A part's label to place: its part (`key`) at (x, y), the label's size, and how far
    from the part's centre it starts (outside the shape)."""
    key: int
    x: float
    y: float
    width: float
    height: float
    reach: float
    part_type: str

    def box(self, spot: str) -> Box:
        """Where the label lies at `spot` (one of LABEL_SPOTS)."""
        x, y, w, h, r = self.x, self.y, self.width, self.height, self.reach
        if spot == "below":
            return (x - w / 2, y + r, x + w / 2, y + r + h)
        if spot == "above":
            return (x - w / 2, y - r - h, x + w / 2, y - r)
        if spot == "right":
            return (x + r, y - h / 2, x + r + w, y + h / 2)
        return (x - r - w, y - h / 2, x - r, y + h / 2)

    def spots(self) -> tuple[str, ...]:
        own = own_label_spot(self.part_type, self.y)
        outward = ("right", "left") if self.x >= 0 else ("left", "right")
        return (own, *outward, "above" if own == "below" else "below")


class _Boxes:
    """Weighted boxes indexed by a grid, for the overlap of one box with all of them."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[tuple[Box, float, int | None]]] = {}

    @staticmethod
    def _span(box: Box) -> list[tuple[int, int]]:
        left, top = math.floor(box[0] / _GRID), math.floor(box[1] / _GRID)
        right, bottom = math.floor(box[2] / _GRID), math.floor(box[3] / _GRID)
        return [(i, j) for i in range(left, right + 1) for j in range(top, bottom + 1)]

    def add(self, box: Box, weight: float, owner: int | None = None) -> None:
        entry = (box, weight, owner)
        cells = self._cells
        for cell in self._span(box):
            found = cells.get(cell)
            if found is None:
                cells[cell] = [entry]
            else:
                found.append(entry)

    def covered(self, box: Box, ignore: int | None) -> float:
        """The weighted area of the boxes `box` lies over (none of `ignore`'s own)."""
        left, top, right, bottom = box
        seen: set[int] = set()
        total = 0.0
        for cell in self._span(box):
            for entry in self._cells.get(cell, ()):
                (l2, t2, r2, b2), weight, owner = entry
                w, h = min(right, r2) - max(left, l2), min(bottom, b2) - max(top, t2)
                if w <= 0 or h <= 0 or (owner is not None and owner == ignore):
                    continue
                if id(entry) in seen:  # a box in several cells counts once
                    continue
                seen.add(id(entry))
                total += weight * w * h
        return total


LINE_STEP = 16.0  # map units between the points where a relation keeps a label off it


def line_boxes(start: tuple[float, float], bend: tuple[float, float] | None,
               end: tuple[float, float]) -> list[Box]:
    """Small boxes along a relation drawn from `start` to `end` (round `bend`, as a
    quadratic curve, when it has one): where a label would lie over it."""
    (x1, y1), (x2, y2) = start, end
    cx, cy = bend if bend is not None else ((x1 + x2) / 2, (y1 + y2) / 2)
    steps = max(2, int(math.hypot(x2 - x1, y2 - y1) / LINE_STEP) + 1)
    boxes = []
    for n in range(steps + 1):
        t = n / steps
        x = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2
        y = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2
        boxes.append((x - 4, y - 4, x + 4, y + 4))
    return boxes


def place_labels(asks: Sequence[LabelAsk], shapes: Mapping[int, Box], keep_clear: Iterable[Box],
                 lines: Iterable[Box] = (), line_weight: float = 0.2) -> dict[int, str]:
    """Where each part's label goes (LABEL_SPOTS): at the first of its spots that lies over
    the least of the other parts' `shapes`, what must be kept clear (Self and its words),
    labels placed before it and, counting `line_weight` as much, the `lines` (small boxes
    along the relations: a label over a line is read through its backing). Labels nearest
    Self are placed first: they have the least room."""
    boxes = _Boxes()
    for box in keep_clear:
        boxes.add(box, 1.0)
    for key, box in shapes.items():
        boxes.add(box, 1.0, key)
    for box in lines:
        boxes.add(box, line_weight)
    placed: dict[int, str] = {}
    for ask in sorted(asks, key=lambda a: (math.hypot(a.x, a.y), a.key)):
        spot, least = "", math.inf
        for candidate in ask.spots():  # the first clear one, else the one covering least
            cover = boxes.covered(ask.box(candidate), ask.key)
            if cover < least:
                spot, least = candidate, cover
            if cover == 0:
                break
        placed[ask.key] = spot
        boxes.add(ask.box(spot), 1.0)
    return placed


def labels_collide(asks: Sequence[LabelAsk], placed: Mapping[int, str],
                   shapes: Mapping[int, Box], keep_clear: Iterable[Box]) -> bool:
    """Whether any label, where `placed` put it, lies over another label, another part's
    shape or what must be kept clear (lines do not count: a label is read over a line)."""
    boxes = [(ask.key, ask.box(placed[ask.key])) for ask in asks]
    hard = [(None, box) for box in keep_clear] + [(key, box) for key, box in shapes.items()]

    def meet(a: Box, b: Box) -> bool:
        return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])

    for n, (key, box) in enumerate(boxes):
        if any(meet(box, other) for _, other in boxes[n + 1:]):
            return True
        if any(owner != key and meet(box, other) for owner, other in hard):
            return True
    return False


def map_status_text(status: str, *, later: bool = False, now: str | None = None) -> str:
    """What a part's label says under its name: its status on the map's date, what it is
    today when that differs (`now`), or that the part was added after that date."""
    if later:
        return "added later"
    text = PART_STATUSES.label(status).lower()
    if now is not None:
        text += f" → {PART_STATUSES.label(now).lower()} now"
    return text


def self_radius(energy: int | None) -> float:
    """Self's radius on the map for a Self-energy rating (0 to 10), or none yet."""
    if energy is None:
        return SELF_UNRATED_RADIUS
    share = max(0, min(10, energy)) / 10
    return SELF_MIN_RADIUS + (SELF_MAX_RADIUS - SELF_MIN_RADIUS) * share


def self_energy_text(energy: int | None) -> str:
    """What Self's mark says of its size."""
    return f"Self-energy {energy}/10" if energy is not None else "Self-energy not rated yet"


def self_energy_on(points: Sequence[SelfEnergyPoint], day: dt.date | None) -> int | None:
    """The latest Self-energy rating on or before `day` (None: the latest of all)."""
    rated = [p for p in points if day is None or p.rated_on <= day]
    if not rated:
        return None
    return max(rated, key=lambda p: (p.rated_on, p.note_id or 0)).rating


def relation_key(kind: str, from_part_id: int, to_part_id: int) -> tuple[str, int, int]:
    """A relation's identity: undirected kinds are the same either way round."""
    if kind in DIRECTED_RELATIONS:
        return kind, from_part_id, to_part_id
    low, high = sorted((from_part_id, to_part_id))
    return kind, low, high


SELF_CLEARANCE = 22.0  # how far a relation passes from Self's edge when it goes round


def bend_around_self(start: tuple[float, float], end: tuple[float, float],
                     self_energy: int | None) -> tuple[float, float] | None:
    """A relation whose straight line would cross Self (and seem to join it) is drawn as a
    curve round it: the curve's control point, or None when the line keeps clear."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return None
    along = -(x1 * dx + y1 * dy) / length2  # where the line comes nearest Self
    if not 0 < along < 1:
        return None
    cx, cy = x1 + along * dx, y1 + along * dy
    near = math.hypot(cx, cy)
    reach = self_radius(self_energy) + SELF_CLEARANCE
    if near >= reach:
        return None
    if near < 1e-6:  # straight through the centre: go round on the left of the line
        length = math.sqrt(length2)
        nx, ny = -dy / length, dx / length
    else:
        nx, ny = cx / near, cy / near
    # A quadratic curve passes halfway between its middle control point and its ends' mean.
    return 2 * nx * reach - (x1 + x2) / 2, 2 * ny * reach - (y1 + y2) / 2


LANE_GAP = 9.0  # map units between two relations drawn between the same two parts


class RelationEnd(NamedTuple):
    """One end of a relation: its part, where it is, and how far from its centre a line
    to it stops (outside its shape: reports.palette.node_radius)."""
    part_id: int
    x: float
    y: float
    radius: float


Point = tuple[float, float]


def _leave(centre: Point, toward: Point, reach: float) -> Point:
    length = math.hypot(toward[0] - centre[0], toward[1] - centre[1])
    if length == 0:
        return centre
    return (centre[0] + (toward[0] - centre[0]) * reach / length,
            centre[1] + (toward[1] - centre[1]) * reach / length)


def relation_course(a: RelationEnd, b: RelationEnd, lane: float,
                    self_energy: int | None) -> tuple[Point, Point | None, Point] | None:
    """Where a relation from a to b starts and ends (outside both shapes, `lane` map units
    to the left of the line from the lower id to the higher), and the bend that takes it
    round Self if it would cross it; None when the two shapes touch. Every drawing of the
    map draws its relations along this course."""
    length = math.hypot(b.x - a.x, b.y - a.y)
    start, end = a.radius + 3, b.radius + 5
    if length <= start + end:
        return None
    ux, uy = (b.x - a.x) / length, (b.y - a.y) / length
    sign = 1.0 if a.part_id < b.part_id else -1.0
    px, py = -uy * lane * sign, ux * lane * sign
    p1 = (a.x + ux * start + px, a.y + uy * start + py)
    p2 = (b.x - ux * end + px, b.y - uy * end + py)
    bend = bend_around_self(p1, p2, self_energy)
    if bend is not None:
        q1, q2 = _leave((a.x, a.y), bend, start), _leave((b.x, b.y), bend, end)
        p1, p2 = (q1[0] + px, q1[1] + py), (q2[0] + px, q2[1] + py)
    return p1, bend, p2


def relation_lanes(relations: Iterable[MapRelationDTO]) -> dict[tuple[str, int, int], float]:
    """How far to the side of the straight line each relation is drawn, so two relations
    between the same parts (protects and allied) lie side by side, not on top."""
    pairs: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for r in relations:
        key = relation_key(r.kind, r.from_part_id, r.to_part_id)
        low, high = sorted((r.from_part_id, r.to_part_id))
        pairs.setdefault((low, high), []).append(key)
    lanes: dict[tuple[str, int, int], float] = {}
    for (low, _high), keys in pairs.items():
        for index, key in enumerate(sorted(keys)):
            offset = (index - (len(keys) - 1) / 2) * LANE_GAP
            # Measured to the left of the line from the lower id to the higher, whichever
            # way the relation itself points.
            lanes[key] = offset if key[1] == low else -offset
    return lanes


@dataclass(frozen=True)
class PartsMap:
    """What one drawing of the map shows."""

    parts: tuple[MapPartDTO, ...]
    relations: tuple[MapRelationDTO, ...]
    self_energy: int | None
    on: dt.date | None = None  # None: the map as it is now
    note_id: int | None = None  # the signed IFS note that kept this snapshot

    def part(self, part_id: int) -> MapPartDTO | None:
        return next((p for p in self.parts if p.id == part_id), None)

    @property
    def is_history(self) -> bool:
        return self.on is not None

    def relation_keys(self) -> set[tuple[str, int, int]]:
        return {relation_key(r.kind, r.from_part_id, r.to_part_id) for r in self.relations}


def map_part(part: PartDTO, taken: Sequence[tuple[float, float]] = ()) -> MapPartDTO:
    """A registry part as the map draws it. A part never placed (at Self's own place,
    as a part added from a note before this version) is shown where a new part of its
    type would go, until it is moved."""
    x, y = part.map_x, part.map_y
    if x == 0 and y == 0:
        x, y = place_part(part.part_type, taken)
    return MapPartDTO(part.id, part.name, part.part_type, part.status, part.trust_in_self,
                      x, y)


def current_map(parts: Sequence[PartDTO], relations: Sequence[PartRelationDTO],
                self_energy: Sequence[SelfEnergyPoint]) -> PartsMap:
    """The map now: the parts on it and the relations between them."""
    on_map = sorted((p for p in parts if p.on_map), key=lambda p: p.id)
    taken = [(p.map_x, p.map_y) for p in on_map if (p.map_x, p.map_y) != (0, 0)]
    drawn: list[MapPartDTO] = []
    for part in on_map:
        shown = map_part(part, taken)
        if (part.map_x, part.map_y) == (0, 0):
            taken.append((shown.x, shown.y))
        drawn.append(shown)
    ids = {p.id for p in drawn}
    links = tuple(MapRelationDTO(r.kind, r.from_part_id, r.to_part_id) for r in relations
                  if r.from_part_id in ids and r.to_part_id in ids)
    return PartsMap(tuple(drawn), links, self_energy_on(self_energy, None))


def chart_map(chart: ClientChart) -> PartsMap:
    """The client's map now, from their chart."""
    return current_map(chart.parts, chart.relations, chart.self_energy)


def snapshot_map(snapshot: MapSnapshotDTO, self_energy: Sequence[SelfEnergyPoint]) -> PartsMap:
    """The map as a snapshot kept it, with Self as rated on or before that day."""
    return PartsMap(snapshot.parts, snapshot.relations,
                    self_energy_on(self_energy, snapshot.taken_on), snapshot.taken_on,
                    snapshot.note_id)


@dataclass(frozen=True)
class MapOnDay:
    """The map a report shows for a day, and where it comes from, in words."""

    parts_map: PartsMap | None  # None: no map had been kept by that day
    source: str


def snapshot_source(note_id: int | None, notes: Iterable[NoteDTO]) -> str:
    """How a kept map came to be: 'kept when the IFS note of that day was signed'."""
    note = next((n for n in notes if n.id == note_id), None) if note_id is not None else None
    if note is None:
        return "kept by a signed note"
    return f"kept when the {MODALITIES.short(note.template_id)} note of that day was signed"


def map_on_day(chart: ClientChart, snapshot: MapSnapshotDTO | None, day: dt.date,
               today: dt.date) -> MapOnDay:
    """The map as it stood at the end of `day`: the registry as it is now when `day` is
    today (it holds every edit since the last signed IFS note), else the last map kept on
    or before `day` (`snapshot`, from the backend's parts.snapshot_on). Without one, no
    map: today's would show parts and statuses the day did not have."""
    if day >= today:
        return MapOnDay(chart_map(chart), "The map as it stands in the parts registry today, "
                        "the last day of the period.")
    if snapshot is None:
        return MapOnDay(None, f"No parts map had been kept by {date_text(day)}, the end of "
                        "the period: a map is kept each time an IFS note is signed.")
    shown = snapshot_map(snapshot, chart.self_energy)
    return MapOnDay(shown, f"The map as it stood at the end of the period ({date_text(day)}): "
                    f"the one of {date_text(snapshot.taken_on)}, "
                    f"{snapshot_source(snapshot.note_id, chart.notes)}, the last kept by then. "
                    "Self is sized by the Self-energy rating of that day or before.")


def burdens_text(part: PartDTO) -> str:
    """Personal and legacy burdens in one line."""
    kinds = [(part.burdens_personal, ""), (part.burdens_legacy, "legacy: ")]
    return "; ".join(f"{prefix}{text}" for text, prefix in kinds if text.strip())


def status_change_text(change: PartStatusChangeDTO) -> str:
    """'Identified → Witnessed'."""
    old = PART_STATUSES.label(change.old_status) if change.old_status else EMPTY
    return f"{old} → {PART_STATUSES.label(change.new_status)}"


def change_source_text(change: PartStatusChangeDTO, notes: Mapping[int, NoteDTO], *,
                       full: bool = False) -> str:
    """'IFS note' (of the change's own date) or 'By hand'; `full` adds the note's date."""
    if change.note_id is None:
        return "By hand"
    note = notes.get(change.note_id)
    if note is None:
        return f"Note #{change.note_id}"
    text = f"{MODALITIES.short(note.template_id)} note"
    return f"{text} of {date_text(note.session_date)}" if full else text


def status_changes_between(history: Iterable[PartStatusChangeDTO], start: dt.date,
                           end: dt.date) -> tuple[PartStatusChangeDTO, ...]:
    """The parts' status changes from `start` to `end`, oldest first."""
    return tuple(sorted((h for h in history if start <= h.changed_on <= end),
                        key=lambda h: (h.changed_on, h.part_id)))


@dataclass(frozen=True)
class StatusDifference:
    part_id: int
    name: str
    then: str
    now: str


@dataclass(frozen=True)
class MapDifferences:
    """What differs between an older map and the map now."""

    parts_added: tuple[MapPartDTO, ...] = ()  # on the map now, not then
    parts_removed: tuple[MapPartDTO, ...] = ()  # on the map then, not now
    statuses_changed: tuple[StatusDifference, ...] = ()
    relations_added: tuple[MapRelationDTO, ...] = ()
    relations_removed: tuple[MapRelationDTO, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.parts_added or self.parts_removed or self.statuses_changed
                    or self.relations_added or self.relations_removed)

    def changed_part_ids(self) -> set[int]:
        return {s.part_id for s in self.statuses_changed}

    def removed_relation_keys(self) -> set[tuple[str, int, int]]:
        return {relation_key(r.kind, r.from_part_id, r.to_part_id)
                for r in self.relations_removed}


def map_differences(then: PartsMap, now: PartsMap) -> MapDifferences:
    then_parts = {p.id: p for p in then.parts}
    now_parts = {p.id: p for p in now.parts}
    changed = tuple(
        StatusDifference(pid, now_parts[pid].name, part.status, now_parts[pid].status)
        for pid, part in then_parts.items()
        if pid in now_parts and now_parts[pid].status != part.status)
    then_keys = {relation_key(r.kind, r.from_part_id, r.to_part_id): r
                 for r in then.relations}
    now_keys = {relation_key(r.kind, r.from_part_id, r.to_part_id): r for r in now.relations}
    return MapDifferences(
        parts_added=tuple(p for pid, p in now_parts.items() if pid not in then_parts),
        parts_removed=tuple(p for pid, p in then_parts.items() if pid not in now_parts),
        statuses_changed=changed,
        relations_added=tuple(r for k, r in now_keys.items() if k not in then_keys),
        relations_removed=tuple(r for k, r in then_keys.items() if k not in now_keys),
    )


class RelationEnds(Protocol):
    """A relation as the words and the rule see it: a registry row or either DTO."""

    @property
    def kind(self) -> str: ...

    @property
    def from_part_id(self) -> int: ...

    @property
    def to_part_id(self) -> int: ...


def relation_text(relation: RelationEnds, names: Mapping[int, str]) -> str:
    """'The Planner protects Little One', 'The Critic and The Numb One: polarized'."""
    first = names.get(relation.from_part_id, f"Part #{relation.from_part_id}")
    second = names.get(relation.to_part_id, f"Part #{relation.to_part_id}")
    if relation.kind in DIRECTED_RELATIONS:
        return f"{first} {PART_RELATIONS.label(relation.kind).lower()} {second}"
    return f"{first} and {second}: {PART_RELATIONS.label(relation.kind).lower()}"


# --------------------------------------------------------------------------- the relations' rule


class NamedPart(Protocol):
    """A part as the rule sees it: a registry row, a PartDTO or a snapshot's part."""

    @property
    def name(self) -> str: ...

    @property
    def part_type(self) -> str: ...


def misfit_end(kind: str, from_type: str, to_type: str) -> tuple[str, str] | None:
    """The end of this relation ("from" or "to") whose part's type does not fit it, with
    why (vocabulary.RELATION_ENDS); None when both fit. A part not typed yet fits both."""
    if kind not in RELATION_ENDS:
        return None
    takes_from, takes_to, why = RELATION_ENDS[kind]
    for end, part_type, takes in (("from", from_type, takes_from), ("to", to_type, takes_to)):
        if part_type != "unknown" and part_type not in takes:
            return end, why
    return None


def _a_type(part_type: str) -> str:
    """'an exile', 'a manager'."""
    label = PART_TYPES.label(part_type).lower()
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def relation_type_problems(kind: str, from_part_id: int, to_part_id: int,
                           parts: Mapping[int, NamedPart]) -> dict[str, str]:
    """'Little One is an exile, and an exile is protected, not a protector: ...', under the
    end that breaks the rule ("from_part_id" or "to_part_id").
    Parts not given are not checked (the caller knows them)."""
    first, second = parts.get(from_part_id), parts.get(to_part_id)
    if first is None or second is None:
        return {}
    found = misfit_end(kind, first.part_type, second.part_type)
    if found is None:
        return {}
    end, why = found
    part = first if end == "from" else second
    return {f"{end}_part_id": (
        f"{part.name} is {_a_type(part.part_type)}, and {why}. Choose another part or "
        f"another kind of relation, or change {part.name}'s type first.")}


def part_type_problem(part_id: int, part_type: str,
                      relations: Iterable[RelationEnds], parts: Mapping[int, NamedPart],
                      off_map: Collection[int] = ()) -> str | None:
    """A part given a new type must still fit each relation it has: 'On the map, Fog
    protects Little One, and an exile is protected, not a protector: ...'. A relation with
    a part taken off the map (`off_map`) counts too, since putting that part back brings
    the relation back."""
    names = {pid: p.name for pid, p in parts.items()}
    for relation in relations:
        ends = (relation.from_part_id, relation.to_part_id)
        if part_id not in ends or not all(pid in parts for pid in ends):
            continue
        from_type, to_type = (part_type if pid == part_id else parts[pid].part_type
                              for pid in ends)
        found = misfit_end(relation.kind, from_type, to_type)
        if found is None:
            continue
        other = ends[1] if ends[0] == part_id else ends[0]
        if other in off_map:
            return (f"{relation_text(relation, names)}, and {found[1]}; {names[other]} is off "
                    f"the map, and putting it back brings the relation back. Put "
                    f"{names[other]} back and take the relation off first, or keep the type.")
        return (f"On the map, {relation_text(relation, names)}, and {found[1]}. Take "
                "that relation off the map first (or change it), or keep the type.")
    return None


def difference_lines(differences: MapDifferences, then: PartsMap,
                     now: PartsMap) -> list[str]:
    """The differences as sentences, in the order a therapist reads a map: parts, their
    statuses, then relations."""
    names = {p.id: p.name for p in (*then.parts, *now.parts)}
    lines = [f"Added since: {p.name} ({PART_TYPES.label(p.part_type).lower()})"
             for p in differences.parts_added]
    lines += [f"Taken off the map since: {p.name}" for p in differences.parts_removed]
    lines += [f"{s.name}: {PART_STATUSES.label(s.then).lower()} then, "
              f"{PART_STATUSES.label(s.now).lower()} now" for s in differences.statuses_changed]
    lines += [f"Relation added since: {relation_text(r, names)}"
              for r in differences.relations_added]
    lines += [f"Relation gone since: {relation_text(r, names)}"
              for r in differences.relations_removed]
    return lines
