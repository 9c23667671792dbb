"""How a search hit reads, in the window and on the command line: its kind, its words.

The index marks each matched word of a snippet with HIT_START / HIT_END (control
characters, never typed by a person); a window turns them into bold, the command line
into [brackets] or character offsets.
"""

from __future__ import annotations

import re
from typing import Final

from models.dto import SearchHit
from models.vocabulary import MODALITIES

HIT_START: Final = "\x02"
HIT_END: Final = "\x03"
_MARKED: Final = re.compile(f"{HIT_START}(.*?){HIT_END}", re.DOTALL)

# The vowel points and cantillation of Hebrew and the harakat of Arabic (and the tatweel
# that stretches Arabic letters): written mostly without, and SQLite's tokenizer would cut a
# word at each one. The index keeps words without them and a query is read without them,
# so a word is found however it was pointed. (Latin accents stay: the tokenizer sets those
# aside itself, and a snippet shows them.)
_VOWEL_MARKS: Final = re.compile(
    "[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4"
    "\u06e7\u06e8\u06ea-\u06ed]")


def without_vowel_marks(text: str) -> str:
    """`text` without Hebrew or Arabic vowel marks (see _VOWEL_MARKS)."""
    return _VOWEL_MARKS.sub("", text)


# Where the snippet crosses from one field of a note to the next.
FIELD_BREAK: Final = " · "


def hit_kind(hit: SearchHit) -> str:
    """'EMDR note', 'Correction to EMDR note', 'Target', 'IFS part'."""
    if hit.kind in ("note", "addendum"):
        note = f"{MODALITIES.label(hit.template_id)} note"
        return note if hit.kind == "note" else f"{hit.title} to {note}"
    return "Target" if hit.kind == "target" else "IFS part"


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """The snippet as runs of text, each with whether it is a matched word."""
    text = snippet.replace("\n", FIELD_BREAK)
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _MARKED.finditer(text):
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def plain_snippet(snippet: str) -> str:
    """The words in context without marks."""
    return "".join(text for text, _ in snippet_parts(snippet))


def bracketed_snippet(snippet: str) -> str:
    """The words in context with each matched word in [brackets] (for a terminal)."""
    return "".join(f"[{text}]" if hit else text for text, hit in snippet_parts(snippet))


def match_offsets(snippet: str) -> list[tuple[int, int]]:
    """(start, end) of each matched word in plain_snippet(snippet)."""
    offsets = []
    position = 0
    for text, hit in snippet_parts(snippet):
        if hit:
            offsets.append((position, position + len(text)))
        position += len(text)
    return offsets
