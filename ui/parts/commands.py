"""Every edit of the parts map as a QUndoCommand, so Undo and Redo reach all of them.

A command is pushed after the first write has been sent (the part is already added, the
part already dragged): its first redo() only marks that, and later undo()/redo() ask the
editor to write again. The editor (`MapWrites`) sends each write to the vault and shows
what is saved; ids stay the same across undo and redo (a part taken off the map is kept
and put back), so a command never points at a part that is gone.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from models.inputs import PartInput

Positions = dict[int, tuple[float, float]]
RelationKey = tuple[str, int, int]

MOVE_ID = 1  # consecutive arrow-key moves of the same parts merge into one step


class MapWrites(Protocol):
    """What the commands ask of the editor: each call writes to the vault."""

    def write_positions(self, positions: Positions) -> None: ...

    def write_removed(self, part_ids: list[int], removed: bool) -> None: ...

    def write_relation(self, key: RelationKey, present: bool) -> None: ...

    def write_part(self, part_id: int, data: PartInput) -> None: ...


class _Done(QUndoCommand):
    """A command whose first redo() is the write that already happened."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.apply()

    def apply(self) -> None:
        raise NotImplementedError


class MoveParts(_Done):
    def __init__(self, writes: MapWrites, before: Positions, after: Positions, *,
                 text: str, merge: bool = False) -> None:
        super().__init__(text)
        self.writes, self.before, self.after = writes, dict(before), dict(after)
        self.merge = merge

    def apply(self) -> None:
        self.writes.write_positions(self.after)

    def undo(self) -> None:
        self.writes.write_positions(self.before)

    def id(self) -> int:
        return MOVE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveParts) or not other.merge \
                or set(other.after) != set(self.after):
            return False
        self.after = dict(other.after)
        return True


class AddPart(_Done):
    def __init__(self, writes: MapWrites, part_id: int, name: str) -> None:
        super().__init__(f"Add {name}")
        self.writes, self.part_id = writes, part_id

    def apply(self) -> None:
        self.writes.write_removed([self.part_id], False)

    def undo(self) -> None:
        self.writes.write_removed([self.part_id], True)


class RemoveParts(_Done):
    """Take parts off the map (their relations go with them, and come back with them)."""

    def __init__(self, writes: MapWrites, part_ids: list[int], text: str) -> None:
        super().__init__(text)
        self.writes, self.part_ids = writes, list(part_ids)

    def apply(self) -> None:
        self.writes.write_removed(self.part_ids, True)

    def undo(self) -> None:
        self.writes.write_removed(self.part_ids, False)


class AddRelation(_Done):
    def __init__(self, writes: MapWrites, key: RelationKey, text: str) -> None:
        super().__init__(text)
        self.writes, self.key = writes, key

    def apply(self) -> None:
        self.writes.write_relation(self.key, True)

    def undo(self) -> None:
        self.writes.write_relation(self.key, False)


class RemoveRelations(_Done):
    def __init__(self, writes: MapWrites, keys: list[RelationKey], text: str) -> None:
        super().__init__(text)
        self.writes, self.keys = writes, list(keys)

    def apply(self) -> None:
        for key in self.keys:
            self.writes.write_relation(key, False)

    def undo(self) -> None:
        for key in self.keys:
            self.writes.write_relation(key, True)


class EditPart(_Done):
    def __init__(self, writes: MapWrites, part_id: int, before: PartInput, after: PartInput,
                 text: str) -> None:
        super().__init__(text)
        self.writes, self.part_id = writes, part_id
        self.before, self.after = before, after

    def apply(self) -> None:
        self.writes.write_part(self.part_id, self.after)

    def undo(self) -> None:
        self.writes.write_part(self.part_id, self.before)


class Compound(_Done):
    """Several commands as one step (taking a part and its relation off together)."""

    def __init__(self, text: str, parts: list[_Done]) -> None:
        super().__init__(text)
        self.parts = parts
        for part in parts:
            part._first = False

    def apply(self) -> None:
        for part in self.parts:
            part.apply()

    def undo(self) -> None:
        for part in reversed(self.parts):
            part.undo()

