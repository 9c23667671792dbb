"""A matplotlib Figure drawn straight onto the PDF page as vectors: lines, fills, hatches
and real text in the report's own DejaVu Sans.

The charts and the parts map are built in reports/ as matplotlib Figures (one source for
the windows and the PDF). Rasterising them costs a PNG encode, a decode and a re-encode
per chart and prints soft; drawing them through this small renderer onto reportlab's
canvas is several times faster, prints sharp at any size, and leaves the chart's words
searchable. It covers what Figures built without pyplot use: paths (markers and
collections come through as paths), text, hatching, clipping and the odd image.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, Transform
from PIL import Image as PILImage
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable

from reports.pdf.fonts import (
    BODY,
    BOLD,
    BOLD_ITALIC,
    ITALIC,
    dejavu_folder,
    east_asian_font,
    register_fonts,
)
from reports.text_metrics import HeightMetrics, font_height_metrics

_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_HATCH_CELL = 72.0  # points: matplotlib's vector backends tile a hatch every inch
_BOLD_WEIGHTS = {"semibold", "demibold", "demi", "bold", "heavy", "extra bold", "black"}


def _is_bold(prop: FontProperties) -> bool:
    weight = prop.get_weight()
    return weight >= 600 if isinstance(weight, int) else str(weight) in _BOLD_WEIGHTS


def _face(prop: FontProperties) -> str:
    """The DejaVu Sans face a text is drawn in (whatever family the Figure asked for)."""
    italic = prop.get_style() in ("italic", "oblique")
    if _is_bold(prop):
        return BOLD_ITALIC if italic else BOLD
    return ITALIC if italic else BODY


_EXTENTS: dict[tuple[str, int, object], tuple[float, float, float]] = {}


def _text_extent(s: str, prop: FontProperties, ismath: Any,
                 renderer: RendererBase) -> tuple[float, float, float]:
    """Mathtext, and scripts drawn as outlines, measured as matplotlib measures them."""
    key = (s, hash(prop), ismath)
    found = _EXTENTS.get(key)
    if found is None:
        if len(_EXTENTS) > 20_000:
            _EXTENTS.clear()
        found = RendererBase.get_text_width_height_descent(renderer, s, prop, ismath)
        _EXTENTS[key] = found
    return found


_FT_SIZE = 100.0  # points: the size glyph boxes are read at (matplotlib's TextToPath's)
_GLYPH_BOXES: dict[tuple[str, str], tuple[int, int]] = {}  # (face, char) -> ink low, high


@functools.cache
def _ft_font(face: str) -> FT2Font:
    font = FT2Font(str(dejavu_folder() / f"{face}.ttf"))
    font.set_size(_FT_SIZE, 72)
    return font


def _ink(face: str, s: str) -> tuple[int, int]:
    """The lowest and highest ink of a line of text (26.6 units at _FT_SIZE), the union of
    its glyphs' boxes as FreeType lays a line out (a space counts as the baseline)."""
    low, high = 32000, -32000
    for char in s:
        box = _GLYPH_BOXES.get((face, char))
        if box is None:
            font = _ft_font(face)  # glyph 0, the "missing" box, for a character it lacks
            glyph = font.load_glyph(font.get_char_index(ord(char)), flags=LoadFlags.NO_HINTING)
            box = _GLYPH_BOXES[(face, char)] = (glyph.bbox[1], glyph.bbox[3])
        low, high = min(low, box[0]), max(high, box[1])
    return low, high


_MEASURED: dict[tuple[str, str, float], tuple[float, float, float]] = {}


def _measure(s: str, face: str, size: float) -> tuple[float, float, float]:
    """Width, height and descent of a line drawn in `face`: the width as reportlab sets it
    (so right- and centre-aligned words end where matplotlib meant), the height and descent
    from the glyphs' ink, as matplotlib's own renderers measure them. Reading glyph boxes
    once per character is some fifty times quicker than FreeType laying out every label."""
    key = (s, face, size)
    found = _MEASURED.get(key)
    if found is None:
        if len(_MEASURED) > 20_000:
            _MEASURED.clear()
        if not s:
            found = (0.0, 0.0, 0.0)
        else:
            low, high = _ink(face, s)
            scale = size / _FT_SIZE / 64
            found = (stringWidth(s, face, size), (high - low) * scale, -low * scale)
        _MEASURED[key] = found
    return found


_CURVES = (Path.CURVE3, Path.CURVE4)


def _straight_path(path: Path, transform: Transform) -> PDFPathObject | None:
    """A path of moves, lines and closes (the lines of a chart, its grid, most markers'
    outlines after a polygon) as reportlab's path object, all its points transformed at
    once: the same operators matplotlib's segment iterator would give, at a fraction of
    the cost for a long line. None for curves or missing values, which take that road."""
    codes = path.codes
    if codes is not None and bool(np.isin(codes, _CURVES).any()):
        return None
    points = transform.transform(path.vertices)
    if len(points) == 0 or not np.isfinite(points).all():
        return None
    pdf_path = PDFPathObject()
    move, line, close = pdf_path.moveTo, pdf_path.lineTo, pdf_path.close
    if codes is None:
        pairs = points.tolist()
        move(*pairs[0])
        for x, y in pairs[1:]:
            line(x, y)
        return pdf_path
    for (x, y), code in zip(points.tolist(), np.asarray(codes).tolist(), strict=True):
        if code == Path.LINETO:
            line(x, y)
        elif code == Path.MOVETO:
            move(x, y)
        elif code == Path.CLOSEPOLY:
            close()
    return pdf_path


class _CanvasRenderer(RendererBase):
    """Draws a Figure (at 72 dpi, so display units are points) on a reportlab canvas, or
    on a _Recorder that keeps the calls for one."""

    def __init__(self, canvas: Canvas, width: float, height: float) -> None:
        super().__init__()
        self.canvas = canvas
        self.width = width
        self.height = height

    # -- what matplotlib asks of a renderer ------------------------------------------------

    def flipy(self) -> bool:
        return False

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self.width, self.height

    def points_to_pixels(self, points: Any) -> Any:
        return points

    def option_image_nocomposite(self) -> bool:
        return True

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: Any) -> tuple[float, float, float]:
        # The same label is measured many times while a chart lays out (and again for each
        # chart): each answer is kept for the process.
        if ismath or east_asian_font(s) is not None:
            return _text_extent(s, prop.copy(), ismath, self)
        return _measure(s, _face(prop), prop.get_size_in_points())

    def _get_font_height_metrics(self, prop: FontProperties) -> HeightMetrics:
        # From DejaVu's own tables, read once (FigureFlowable.draw sets the figure to 72 dpi).
        return font_height_metrics(prop, 72)

    # -- paths -----------------------------------------------------------------------------

    def _path(self, path: Any, transform: Any) -> Any:
        straight = _straight_path(path, transform)
        if straight is not None:
            return straight
        pdf_path = self.canvas.beginPath()
        last = (0.0, 0.0)
        for vertices, code in path.iter_segments(transform, remove_nans=True, simplify=False,
                                                 curves=True):
            if code == Path.MOVETO:
                last = (vertices[0], vertices[1])
                pdf_path.moveTo(*last)
            elif code == Path.LINETO:
                last = (vertices[-2], vertices[-1])
                pdf_path.lineTo(*last)
            elif code == Path.CURVE3:
                # A quadratic Bézier as the cubic with the same shape.
                cx, cy, x, y = vertices
                pdf_path.curveTo(last[0] + 2 / 3 * (cx - last[0]), last[1] + 2 / 3 * (cy - last[1]),
                                 x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y), x, y)
                last = (x, y)
            elif code == Path.CURVE4:
                pdf_path.curveTo(*vertices)
                last = (vertices[-2], vertices[-1])
            elif code == Path.CLOSEPOLY:
                pdf_path.close()
        return pdf_path

    def _clip(self, gc: GraphicsContextBase) -> None:
        box = gc.get_clip_rectangle()
        if box is not None:
            x0, y0, w, h = box.bounds
            rect = self.canvas.beginPath()
            rect.rect(x0, y0, w, h)
            self.canvas.clipPath(rect, stroke=0, fill=0)
        clip_path, clip_transform = gc.get_clip_path()
        if clip_path is not None:
            self.canvas.clipPath(self._path(clip_path, clip_transform), stroke=0, fill=0)

    def _stroke_style(self, gc: GraphicsContextBase) -> bool:
        """Set the pen from the graphics context; False when nothing would show."""
        r, g, b, a = gc.get_rgb()
        width = gc.get_linewidth()
        if width <= 0 or a <= 0:
            return False
        canvas = self.canvas
        canvas.setStrokeColorRGB(r, g, b, alpha=a)
        canvas.setLineWidth(width)
        canvas.setLineCap(_CAPS.get(gc.get_capstyle(), 0))
        canvas.setLineJoin(_JOINS.get(gc.get_joinstyle(), 0))
        offset, dashes = gc.get_dashes()
        pattern: list[float] = [float(d) for d in np.atleast_1d(np.asarray(dashes, float))] \
            if dashes is not None else []
        if pattern:
            canvas.setDash(pattern, float(offset or 0))
        else:
            canvas.setDash()
        return True

    def draw_path(self, gc: GraphicsContextBase, path: Path, transform: Transform,
                  rgbFace: Any = None) -> None:
        canvas = self.canvas
        canvas.saveState()
        self._clip(gc)
        fill = False
        if rgbFace is not None:
            face = tuple(rgbFace)
            alpha = gc.get_alpha() if gc.get_forced_alpha() else (face[3] if len(face) > 3
                                                                  else 1.0)
            if alpha > 0:
                canvas.setFillColorRGB(face[0], face[1], face[2], alpha=alpha)
                fill = True
        stroke = self._stroke_style(gc)
        if fill or stroke:
            canvas.drawPath(self._path(path, transform), stroke=int(stroke), fill=int(fill))
        if gc.get_hatch():
            self._hatch(gc, path, transform)
        canvas.restoreState()

    def _hatch(self, gc: GraphicsContextBase, path: Path, transform: Transform) -> None:
        """Tile the hatch pattern over the path's extent, clipped to the path."""
        canvas = self.canvas
        canvas.saveState()
        canvas.clipPath(self._path(path, transform), stroke=0, fill=0)
        r, g, b, a = tuple(gc.get_hatch_color())
        canvas.setStrokeColorRGB(r, g, b, alpha=a)
        canvas.setLineWidth(gc.get_hatch_linewidth())
        canvas.setDash()
        pattern = gc.get_hatch_path()
        x0, y0, x1, y1 = path.get_extents(transform).extents
        cell = _HATCH_CELL
        pen = canvas.beginPath()
        for ix in range(math.floor(x0 / cell), math.ceil(x1 / cell)):
            for iy in range(math.floor(y0 / cell), math.ceil(y1 / cell)):
                tile = Affine2D().scale(cell).translate(ix * cell, iy * cell)
                for vertices, code in pattern.iter_segments(tile, simplify=False):
                    if code == Path.MOVETO:
                        pen.moveTo(vertices[0], vertices[1])
                    elif code in (Path.LINETO, Path.CLOSEPOLY):
                        pen.lineTo(vertices[-2], vertices[-1])
                    elif code == Path.CURVE4:
                        pen.curveTo(*vertices)
        canvas.drawPath(pen, stroke=1, fill=0)
        canvas.restoreState()

    # -- text ------------------------------------------------------------------------------

    def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str,
                  prop: FontProperties, angle: float, ismath: Any = False,
                  mtext: Any = None) -> None:
        if ismath or east_asian_font(s) is not None:
            # Mathtext, and scripts DejaVu lacks, are drawn as outlines, as matplotlib would.
            self._draw_text_as_path(gc, x, y, s, prop, angle, ismath)  # type: ignore[attr-defined]
            return
        font = _face(prop)
        r, g, b, a = gc.get_rgb()
        canvas = self.canvas
        canvas.saveState()
        self._clip(gc)
        canvas.setFillColorRGB(r, g, b, alpha=a)
        canvas.setFont(font, prop.get_size_in_points())
        canvas.translate(x, y)
        if angle:
            canvas.rotate(angle)
        canvas.drawString(0, 0, s)
        canvas.restoreState()

    # -- images ----------------------------------------------------------------------------

    def draw_image(self, gc: GraphicsContextBase, x: float, y: float, im: Any,
                   transform: Any = None) -> None:
        height, width = im.shape[:2]
        if not width or not height:
            return
        picture = PILImage.fromarray(np.asarray(im[::-1], dtype=np.uint8), "RGBA")
        canvas = self.canvas
        canvas.saveState()
        self._clip(gc)
        canvas.drawImage(ImageReader(picture), x, y, width, height, mask="auto")
        canvas.restoreState()


Call = tuple[str, tuple[Any, ...], dict[str, Any]]


class _Recorder:
    """Stands in for reportlab's canvas while a Figure draws: every call is kept, in order,
    to be made on the page's canvas later. So a figure is drawn once, when its flowable
    is made, and is free to draw the next chart (reports.charts reuses a figure's axes,
    which is most of a chart's cost), while its page comes out exactly as if it had been
    drawn there."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def beginPath(self) -> PDFPathObject:
        return PDFPathObject()  # what a canvas gives; it holds no reference to one

    def __getattr__(self, name: str) -> Any:
        calls = self.calls

        def record(*args: Any, **kwargs: Any) -> None:
            calls.append((name, args, kwargs))

        return record


def _replay(calls: list[Call], canvas: Canvas) -> None:
    for name, args, kwargs in calls:
        getattr(canvas, name)(*args, **kwargs)


class FigureFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A Figure as vectors, `width` points wide with its proportions kept. The figure is
    drawn when the flowable is made (see _Recorder) and not kept."""

    def __init__(self, fig: Figure, width: float) -> None:
        super().__init__()
        register_fonts()
        inches_w, inches_h = fig.get_size_inches()
        fig_width = float(inches_w) * 72
        fig_height = float(inches_h) * 72
        self.scale = width / fig_width
        self.width = width
        self.height = fig_height * self.scale
        recorder = _Recorder()
        previous_dpi = fig.dpi
        fig.set_dpi(72)  # display units become points, as in matplotlib's PDF backend
        try:
            fig.draw(_CanvasRenderer(recorder, fig_width, fig_height))
        finally:
            fig.set_dpi(previous_dpi)
        self._calls = recorder.calls

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.scale(self.scale, self.scale)
        try:
            _replay(self._calls, canvas)
        finally:
            canvas.restoreState()
