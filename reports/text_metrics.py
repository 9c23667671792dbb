"""A font's height as matplotlib's text layout asks a renderer for it: one answer for every
renderer of ours (the screen's caching Agg canvas, the PDF's vector canvas).

matplotlib 3.11's Text._get_layout asks the renderer (`_get_font_height_metrics`) for each
line of text it lays out and, when the renderer does not say, looks the font up and reads
its OS/2 or hhea table every time. The answer depends on the font and size alone, so it is
read once per process (font properties only: no text, no client data, is kept).
"""

from __future__ import annotations

from matplotlib.font_manager import FontProperties, fontManager, get_font

HeightMetrics = tuple[float, float, float] | tuple[None, None, None]

_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
           ("hhea", "lineGap", "ascent", "descent"))
_HEIGHTS: dict[tuple[FontProperties, float], HeightMetrics] = {}
_MAX_ENTRIES = 1_000

# What font_height_metrics reads of matplotlib's; without it (another matplotlib) the
# renderers answer "not known", and matplotlib reads the tables itself.
_AVAILABLE = hasattr(fontManager, "_find_fonts_by_props")


def font_height_metrics(prop: FontProperties, dpi: float) -> HeightMetrics:
    """The ascent, descent and line gap, in pixels at `dpi`, of the font `prop` names, by
    matplotlib's own arithmetic to the letter (so a figure lays out exactly as matplotlib
    would lay it out); (None, None, None) when the font has neither table, and matplotlib
    measures instead."""
    if not _AVAILABLE:
        return (None, None, None)
    found = _HEIGHTS.get((prop, dpi))
    if found is None:
        found = (None, None, None)
        font = get_font(fontManager._find_fonts_by_props(prop))
        for table_name, gap_key, ascent_key, descent_key in _TABLES:
            table: dict[str, int] | None = font.get_sfnt_table(table_name)  # type: ignore[call-overload]
            if table is None:
                continue
            fontsize = prop.get_size_in_points()
            head = font.get_sfnt_table("head")
            assert head is not None
            scale = 1 / head["unitsPerEm"] * fontsize * dpi / 72
            found = (table[ascent_key] * scale, -table[descent_key] * scale,
                     table[gap_key] * scale)
            break
        if len(_HEIGHTS) >= _MAX_ENTRIES:
            _HEIGHTS.clear()
        _HEIGHTS[(prop.copy(), dpi)] = found  # a copy: the one asked with may change later
    return found
