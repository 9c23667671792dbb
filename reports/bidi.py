"""Right-to-left text (Hebrew, Arabic, Persian, Urdu, ...) in the order it is read.

A PDF page and a matplotlib figure draw a line's characters from left to right, in the
order they are stored; Qt's windows reorder and join them by themselves. So a line with
right-to-left letters is given to the PDF and the charts in visual order: Arabic letters
in their joined forms (arabic_reshaper), then the Unicode bidirectional algorithm
(python-bidi's own implementation, which also mirrors brackets). A paragraph is broken
into lines first and each line reordered after, so its first line stays on top. Text
without such letters is returned as it is, and the two libraries load only for text that
has them.
"""

from __future__ import annotations

import re
import unicodedata

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, their supplements and
# presentation forms, and the historic right-to-left scripts beyond the first plane.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
                            "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_right_to_left(text: str) -> bool:
    return _RIGHT_TO_LEFT.search(text) is not None


def reads_right_to_left(text: str) -> bool:
    """Whether the first letter of `text` that has a direction is a right-to-left one (the
    paragraph direction the bidirectional algorithm gives it)."""
    if not has_right_to_left(text):
        return False
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def visual(text: str) -> str:
    """`text` (line by line) as a left-to-right drawing must lay it out to be read."""
    if not has_right_to_left(text):
        return text
    from arabic_reshaper import reshape
    from bidi.algorithm import get_display

    return "\n".join(str(get_display(reshape(line))) if has_right_to_left(line) else line
                      for line in text.split("\n"))
