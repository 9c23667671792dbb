"""A matplotlib Agg renderer that lays out and rasterises each distinct text once per canvas.

A chart on screen is drawn again with every client switch, and most of its words are the
same each time (tick labels, band names, the legend). Since matplotlib 3.11, Agg shapes
every string (FreeType with libraqm) and renders every glyph on every draw: about half of
the draw. This renderer remembers, for the canvas it belongs to, each string's layout and
measure and each glyph's coverage bitmap at its sub-pixel offset, and composites them the
way RendererAgg does, so the pixels are the same (tests/ui/common/test_agg_text.py). It
answers Text's question for font heights from reports.text_metrics.

It relies on RendererAgg's private text path of matplotlib 3.11 (`FT2Font._layout`,
`_render_glyph`, `_draw_text_glyphs_and_boxes`); where that is missing (another
matplotlib), `TEXT_CACHE_WORKS` is False and canvases use the plain renderer.
Importing this module imports matplotlib: import it where a chart is drawn.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font, RenderMode

from reports.text_metrics import HeightMetrics, font_height_metrics

TEXT_CACHE_WORKS = hasattr(FT2Font, "_layout") and hasattr(FT2Font, "_render_glyph") \
    and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
_MAX_ENTRIES = 20_000  # a cache past this is emptied (a long session's many dates)


class TextCache:
    """What one canvas has laid out and rasterised. It holds the strings drawn (client
    data among them), so it lives and dies with its canvas."""

    def __init__(self) -> None:
        self.layouts: dict[tuple[Any, ...], list[tuple[FT2Font, int, float, float]]] = {}
        self.metrics: dict[tuple[Any, ...], tuple[float, float, float]] = {}
        self.glyphs: dict[tuple[Any, ...], tuple[np.ndarray, int, int]] = {}

    def clear(self) -> None:
        self.layouts.clear()
        self.metrics.clear()
        self.glyphs.clear()


def _remember(table: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
    if len(table) >= _MAX_ENTRIES:
        table.clear()
    table[key] = value


def _hinting() -> Any:
    return get_hinting_flag()  # type: ignore[no-untyped-call]


def _font_key(prop: FontProperties) -> FontProperties:
    # FontProperties hash and compare by their values; the key keeps a copy, since the
    # one drawn with may be changed later.
    return prop.copy()


class CachingRendererAgg(RendererAgg):
    """RendererAgg, its text laid out and its glyphs rendered once per `cache`."""

    def __init__(self, width: float, height: float, dpi: float, cache: TextCache) -> None:
        super().__init__(width, height, dpi)  # type: ignore[no-untyped-call]
        self.text_cache = cache

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(  # type: ignore[no-any-return]
                s, prop, ismath)  # type: ignore[no-untyped-call]
        key = (s, prop, self.dpi, _hinting())
        found = self.text_cache.metrics.get(key)
        if found is None:
            found = super().get_text_width_height_descent(  # type: ignore[no-untyped-call]
                s, prop, ismath)
            _remember(self.text_cache.metrics,
                      (s, _font_key(prop), self.dpi, _hinting()), found)
        return found

    def _get_font_height_metrics(self, prop: FontProperties) -> HeightMetrics:
        # Text._get_layout asks the renderer first (matplotlib 3.11), else reads the
        # font's tables for every line it lays out.
        return font_height_metrics(prop, self.dpi)

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: FontProperties,
                  angle: float, ismath: Any = False, mtext: Any = None) -> None:
        if ismath:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)  # type: ignore[no-untyped-call]
            return
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        options = (self.dpi, _hinting(), repr(features), repr(language))
        items = self.text_cache.layouts.get((s, prop, *options))
        if items is None:
            font = self._prepare_font(prop)  # type: ignore[no-untyped-call]
            items = [(item.ft_object, item.glyph_index, item.x, item.y)
                     for item in font._layout(s, flags=_hinting(),
                                              features=features, language=language)]
            _remember(self.text_cache.layouts, (s, _font_key(prop), *options), items)
        size = prop.get_size_in_points()
        self._draw_glyphs(gc, x, y, angle, [(font, size, index, dx, dy)
                                            for font, index, dx, dy in items])

    def _draw_glyphs(self, gc: Any, x: float, y: float, angle: float,
                     glyphs: list[tuple[Any, float, int, float, float]]) -> None:
        """As RendererAgg._draw_text_glyphs_and_boxes draws text glyphs (no slant, no
        stretch, no boxes): a glyph moved by whole pixels has the same bitmap, so each is
        rendered once per sub-pixel offset (1/64 px, FreeType's unit) and moved."""
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = _hinting()
        antialiased = bool(gc.get_antialiased())
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                  @ [[1, 0], [0, 1]]).round().astype(int)
        matrix_key = tuple(matrix.flat)
        height = self.height
        cache = self.text_cache.glyphs
        for font, size, index, dx, dy in glyphs:  # dy is upwards
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            key = (font, size, self.dpi, index, matrix_key, tx & 0x3F, ty & 0x3F,
                   load_flags, antialiased)
            found = cache.get(key)
            if found is None:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [tx & 0x3F, ty & 0x3F])
                bitmap = font._render_glyph(
                    index, load_flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xFF
                found = (buffer, bitmap.left, bitmap.top)
                _remember(cache, key, found)
            buffer, left, top = found
            # draw_text_image's y is downwards and names the bitmap's bottom side.
            self._renderer.draw_text_image(
                buffer, left + (tx >> 6), int(height) - (top + (ty >> 6)) + buffer.shape[0],
                0, gc)
