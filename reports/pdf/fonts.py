"""Fonts that print any client's name: DejaVu Sans (matplotlib ships it) for Latin, Greek
and Cyrillic, and reportlab's CID fonts for Chinese, Japanese and Korean.

DejaVu Sans is embedded (subset) in every PDF. The CID fonts are not embedded: a PDF
reader supplies them from its Asian font pack, which is what reportlab's CID support is
for and keeps the file small.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from html import escape as _html_escape
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from reports.bidi import visual

BODY = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"

CHINESE = "STSong-Light"
JAPANESE = "HeiseiKakuGo-W5"
KOREAN = "HYGothic-Medium"

# Scripts DejaVu Sans does not cover, by the CID font that prints them.
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
# Everything East Asian: ideographs, kana, hangul, CJK punctuation and full-width forms.
_EAST_ASIAN = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3200-\u32ff\u3300-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f]+")


def dejavu_folder() -> Path:
    """Where matplotlib keeps DejaVu Sans, found without importing matplotlib (half a
    second): a report with no chart never loads it."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: its DejaVu Sans fonts print reports")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@functools.cache
def register_fonts() -> None:
    """Register the fonts once per process (parsing DejaVu Sans takes a few tens of ms)."""
    folder = dejavu_folder()
    for name in (BODY, BOLD, ITALIC, BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    # <b> and <i> in paragraph markup pick the right face of the family.
    addMapping(BODY, 0, 0, BODY)
    addMapping(BODY, 1, 0, BOLD)
    addMapping(BODY, 0, 1, ITALIC)
    addMapping(BODY, 1, 1, BOLD_ITALIC)
    for cid in (CHINESE, JAPANESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(cid))


def escape(text: str) -> str:
    """&, < and > as paragraph markup writes them (html's escape, which reportlab loads
    anyway; xml.sax.saxutils would load urllib and http with it)."""
    return _html_escape(text, quote=False)


def east_asian_font(text: str) -> str | None:
    """The CID font for the East Asian characters in `text`, or None when it has none.
    A text with hangul is Korean, one with kana Japanese, ideographs alone Chinese."""
    if not _EAST_ASIAN.search(text):
        return None
    if _HANGUL.search(text):
        return KOREAN
    if _KANA.search(text):
        return JAPANESE
    return CHINESE


def markup(text: str) -> str:
    """Text as paragraph markup: escaped, line breaks kept, and East Asian runs set in the
    CID font that prints them (the rest stays in the paragraph's own font)."""
    font = east_asian_font(text)
    # Each line in reading order (reports.bidi): right for a name or a short answer, which
    # a paragraph does not break; a longer right-to-left text is set as PlainText.
    lines = [visual(line) for line in
             text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if font is None:
        return "<br/>".join(escape(line) for line in lines)
    out = []
    for line in lines:
        pieces, last = [], 0
        for found in _EAST_ASIAN.finditer(line):
            pieces.append(escape(line[last:found.start()]))
            pieces.append(f'<font face="{font}">{escape(found.group())}</font>')
            last = found.end()
        pieces.append(escape(line[last:]))
        out.append("".join(pieces))
    return "<br/>".join(out)
