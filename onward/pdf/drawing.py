"""reportlab.graphics drawings (the situation report's charts) rendered onto an fpdf2 page.

reportlab's chart widgets lay a chart out as shapes (rectangles, lines, polygons, circles,
strings) in a Drawing; this renderer walks those shapes, as reportlab's own PDF renderer
does, and draws each with fpdf2, so that a chart's labels are shaped text in the
document's fonts like any other (a pledge or a place named in Arabic script).
"""

from __future__ import annotations

import math

from reportlab.graphics.renderbase import Renderer, StateTracker, getStateDelta
from reportlab.graphics.shapes import Drawing

from onward.pdf import FAMILY


def draw(pdf, drawing: Drawing, x: float, y: float) -> None:
    """Draws `drawing` with its top left corner at (x, y) of the current page (points,
    y downwards); the position of the text cursor is left as it was (the caller moves
    below the drawing, `drawing.height`)."""
    cursor = pdf.x, pdf.y
    _FPDFRenderer(pdf, drawing, x, y).render()
    pdf.set_xy(*cursor)


def _rgb(color) -> tuple[int, int, int] | None:
    if color is None:
        return None
    r, g, b = color.rgb()
    return round(r * 255), round(g * 255), round(b * 255)


class _FPDFRenderer(Renderer):
    def __init__(self, pdf, drawing: Drawing, x: float, y: float) -> None:
        self.pdf, self.drawing, self.x0, self.y0 = pdf, drawing, x, y

    def render(self) -> None:
        drawing = self.drawing
        self._tracker = StateTracker(defaultObj=drawing)
        drawing._parent = None
        try:
            with self.pdf.local_context():
                self.initState(0, 0)
                self.drawNode(drawing)
                self.pop()
        finally:
            del self._tracker, drawing._parent

    def applyStateChanges(self, delta, newState) -> None:
        pass  # every shape reads the whole state when it is drawn

    def drawNode(self, node) -> None:
        self._tracker.push(getStateDelta(node))
        self.drawNodeDispatcher(node)
        self._tracker.pop()

    # -- geometry ------------------------------------------------------------------

    def _point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self._tracker.getCTM()
        dx, dy = a * x + c * y + e, b * x + d * y + f
        return self.x0 + dx, self.y0 + self.drawing.height - dy

    def _scale(self) -> float:
        a, b, c, d, _, _ = self._tracker.getCTM()
        return math.sqrt(abs(a * d - b * c)) or 1.0

    def _paint(self, *, fill: bool = True) -> str:
        """Sets colours, width and dash from the state; the fpdf2 style ("F", "D", "DF",
        or "" when nothing is painted)."""
        state = self._tracker.getState()
        pdf = self.pdf
        fill_rgb = _rgb(state.get("fillColor")) if fill else None
        stroke_rgb = _rgb(state.get("strokeColor"))
        width = state.get("strokeWidth") or 0
        if fill_rgb:
            pdf.set_fill_color(*fill_rgb)
        if stroke_rgb and width:
            pdf.set_draw_color(*stroke_rgb)
            pdf.set_line_width(width * self._scale())
            dash = state.get("strokeDashArray")
            if dash and all(isinstance(v, int | float) for v in dash):
                pdf.set_dash_pattern(dash=dash[0], gap=dash[1] if len(dash) > 1 else dash[0])
            else:
                pdf.set_dash_pattern()
        style = ("D" if stroke_rgb and width else "") + ("F" if fill_rgb else "")
        return {"DF": "DF", "D": "D", "F": "F"}.get(style, style)

    # -- shapes --------------------------------------------------------------------

    def drawRect(self, rect) -> None:
        x, y, w, h = rect.x, rect.y, rect.width, rect.height
        self.drawPolygon(_Points([x, y, x + w, y, x + w, y + h, x, y + h]))

    def drawLine(self, line) -> None:
        if not self._paint(fill=False):
            return
        (x1, y1), (x2, y2) = self._point(line.x1, line.y1), self._point(line.x2, line.y2)
        self.pdf.line(x1, y1, x2, y2)

    def drawPolyLine(self, p) -> None:
        if not self._paint(fill=False):
            return
        pts = p.points
        self.pdf.polyline([self._point(pts[i], pts[i + 1]) for i in range(0, len(pts), 2)])

    def drawPolygon(self, p) -> None:
        style = self._paint()
        if not style:
            return
        pts = p.points
        self.pdf.polygon(
            [self._point(pts[i], pts[i + 1]) for i in range(0, len(pts), 2)], style=style
        )

    def drawCircle(self, circle) -> None:
        style = self._paint()
        if not style:
            return
        cx, cy = self._point(circle.cx, circle.cy)
        self.pdf.circle(x=cx, y=cy, radius=circle.r * self._scale(), style=style)

    def drawEllipse(self, ellipse) -> None:
        style = self._paint()
        if not style:
            return
        cx, cy = self._point(ellipse.cx, ellipse.cy)
        s = self._scale()
        self.pdf.ellipse(
            cx - ellipse.rx * s,
            cy - ellipse.ry * s,
            2 * ellipse.rx * s,
            2 * ellipse.ry * s,
            style=style,
        )

    def drawString(self, string) -> None:
        state = self._tracker.getState()
        color = _rgb(state.get("fillColor"))
        if color is None or not string.text:
            return
        pdf = self.pdf
        size = (state.get("fontSize") or 8) * self._scale()
        bold = "Bold" in str(state.get("fontName") or "")
        pdf.set_font(FAMILY, "B" if bold else "", size)
        pdf.set_text_color(*color)
        width = pdf.get_string_width(string.text)
        anchor = state.get("textAnchor") or "start"
        shift = {"end": width, "middle": width / 2}.get(anchor, 0)
        a, b, _, _, _, _ = self._tracker.getCTM()
        angle = math.degrees(math.atan2(b, a))
        x, y = self._point(string.x, string.y)
        if abs(angle) < 0.01:
            self._label(x - shift, y, width, string.text, size)
            return
        with pdf.rotation(angle, x=x, y=y):
            self._label(x - shift, y, width, string.text, size)

    def _label(self, x: float, baseline: float, width: float, text: str, size: float) -> None:
        # cell(), not text(): fpdf2's text() neither shapes nor orders right-to-left runs.
        # A cell of no height puts its baseline 0.3 of the font size below its top.
        self.pdf.set_xy(x, baseline - 0.3 * size)
        self.pdf.cell(w=width + 0.01, h=0, text=text)


class _Points:
    def __init__(self, points) -> None:
        self.points = points
