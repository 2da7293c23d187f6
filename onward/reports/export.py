"""The situation report: the dashboard's tables for one date as a PDF of a few pages
(reportlab, charts drawn with reportlab.graphics) or an XLSX workbook (one sheet a table).

A report states when it was generated, from which database (engine and name, never a
password), the date it is true for, the rule used for incident figures, and whether small
numbers were suppressed. A delegation's report is always suppressed ("shared outside the
operation") and holds only its own country's figures (figures.sections_for).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.reports import figures as F


@dataclass
class Report:
    user: object
    on: dt.date
    tables: list
    incidents: list
    rule: str
    rule_label: str
    shared: bool
    threshold: int
    generated_at: dt.datetime
    database: str

    def table(self, key):
        return next((t for t in self.tables if t.key == key), None)


def database_label() -> str:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    name = str(db.get("NAME", ""))
    host = db.get("HOST") or ""
    return f"{engine} {name}" + (f" on {host}" if host else "")


def situation_report(*, user, on: dt.date, shared: bool = False,
                     rule: str = "latest_official") -> Report:
    """Builds the report for `user` (within its scope) as of `on`; audited as an export."""
    from onward.incidents.selectors import RULES

    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    shared = shared or F.is_delegation(user)
    threshold = settings.ONWARD_SMALL_CELL
    tables = F.dashboard(user, on, rule=rule)
    if shared:
        F.suppress(tables, threshold)
    incidents = F.incident_rows(user, on, rule) if "incidents" in F.sections_for(user) else []
    connection.ensure_connection()
    real = user if getattr(user, "pk", None) else None  # None: the command line
    audit_record(actor=real, actor_name=None if real else "command line",
                 action=AuditEntry.Action.EXPORT, object_type="report",
                 object_id=f"{on}",
                 detail=f"situation report as_of={on} rule={rule} shared={shared}")
    return Report(user=user, on=on, tables=tables, incidents=incidents, rule=rule,
                  rule_label=RULES[rule], shared=shared, threshold=threshold,
                  generated_at=timezone.localtime(), database=database_label())


def header_lines(r: Report) -> list[str]:
    scope = (f"Delegation of {r.user.country}: figures about its own submissions only"
             if F.is_delegation(r.user) else "The whole operation")
    lines = [f"As of {r.on:%Y-%m-%d} (end of day): every figure is true for this date.",
             f"Generated {r.generated_at:%Y-%m-%d %H:%M %Z} by "
             f"{getattr(r.user, 'username', '') or 'the command line'} from database "
             f"{r.database}.",
             f"Scope: {scope}."]
    if "incidents" in F.sections_for(r.user):
        lines.append(f"Incident figures: rule “{r.rule_label}”.")
    if r.shared:
        lines.append(f"For sharing outside the operation: counts from 1 to {r.threshold - 1} "
                     f"are shown as “<{r.threshold}”, and one more cell is hidden where a "
                     "single hidden cell could be recovered from a total.")
    return lines


# -- PDF -----------------------------------------------------------------------------------

PATTERN_GREYS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040"]


def _chart(t, r: Report):
    """A reportlab drawing for a table, readable in black and white: bars carry their
    numbers, series differ by shade and by stroke dash, lines by marker shape."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    def value(row, j):
        return 0 if row.suppressed[j] or not isinstance(row.values[j], int | float) \
            else row.values[j]

    if t.chart == "line" and t.rows:
        d = Drawing(480, 170)
        lp = LinePlot()
        lp.x, lp.y, lp.width, lp.height = 45, 30, 420, 120
        lp.data = [[(i, value(row, 0)) for i, row in enumerate(t.rows)]]
        lp.lines[0].strokeColor = colors.HexColor(PATTERN_GREYS[0])
        lp.lines[0].symbol = makeMarker("FilledCircle")
        lp.xValueAxis.valueSteps = list(range(0, len(t.rows), 3))
        lp.xValueAxis.labelTextFormat = lambda i: t.rows[int(i)].label[:7] \
            if 0 <= int(i) < len(t.rows) else ""
        lp.xValueAxis.labels.fontSize = 7
        lp.yValueAxis.labels.fontSize = 7
        lp.yValueAxis.valueMin = 0
        d.add(lp)
        last = t.rows[-1]
        d.add(String(470, 155, f"{last.label}: {F.cell_text(last, 0, r.threshold)}",
                     fontSize=7, textAnchor="end"))
        return d
    if t.chart not in ("bar", "hbar", "stacked") or not t.rows:
        return None
    cols = [j for j, k in enumerate(t.kinds) if k == "count"]
    if t.key == "pledge_use":
        cols = [3]  # accepted, against the capacity in the table
    if t.key.startswith("funnel"):
        cols = [0, 1, 2, 3]
    rows = t.rows[:12]
    horizontal = t.chart == "hbar"
    height = max(140, 16 * len(rows) * (len(cols) if not horizontal else 1) + 50) \
        if horizontal else 170
    d = Drawing(480, min(height, 320))
    bc = HorizontalBarChart() if horizontal else VerticalBarChart()
    bc.x, bc.y = (150, 20) if horizontal else (45, 40)
    bc.width = 300 if horizontal else 330
    bc.height = d.height - (30 if horizontal else 55)
    if t.chart == "stacked" or t.key.startswith("funnel"):
        # series are columns, categories are rows
        bc.data = [[value(row, j) for row in rows] for j in cols]
        bc.categoryAxis.categoryNames = [row.label[:24] for row in rows]
    else:
        bc.data = [[value(row, cols[0]) for row in rows]]
        bc.categoryAxis.categoryNames = [row.label[:24] for row in rows]
    if t.chart == "stacked":
        bc.categoryAxis.style = "stacked"
    for i in range(len(bc.data)):
        bc.bars[i].fillColor = colors.HexColor(PATTERN_GREYS[i % len(PATTERN_GREYS)])
        bc.bars[i].strokeColor = colors.black
        bc.bars[i].strokeDashArray = [None, (2, 1), (4, 2), (1, 1), (6, 2), (3, 3)][i % 6]
    bc.valueAxis.valueMin = 0
    bc.valueAxis.labels.fontSize = 7
    bc.categoryAxis.labels.fontSize = 7
    if not horizontal:
        bc.categoryAxis.labels.angle = 30 if len(rows) > 6 else 0
        bc.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    if t.chart != "stacked":
        bc.barLabelFormat = "%d"
        bc.barLabels.fontSize = 6
        bc.barLabels.nudge = 6
    d.add(bc)
    if len(bc.data) > 1:
        legend = Legend()
        legend.x, legend.y = (400 if not horizontal else 455), d.height - 10
        legend.fontSize = 7
        legend.alignment = "right"
        legend.colorNamePairs = [(colors.HexColor(PATTERN_GREYS[i % 6]), t.columns[j + 1][:22])
                                 for i, j in enumerate(cols)]
        d.add(legend)
    return d


def _table_flowable(t, r: Report, styles):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table

    small = styles["small"]
    data = [[Paragraph(f"<b>{c}</b>", small) for c in t.columns]]
    for row in t.rows:
        data.append([Paragraph(row.label, small),
                     *(F.cell_text(row, j, r.threshold) for j in range(len(row.values)))])
    if t.total is not None and t.key.endswith(("_by_sex", "_by_age_band", "_by_nationality")):
        data.append(["Total", str(t.total)] + [""] * (len(t.columns) - 2))
    first = 170 if len(t.columns) > 2 else 220
    rest = (480 - first) / max(1, len(t.columns) - 1)
    tbl = Table(data, colWidths=[first] + [rest] * (len(t.columns) - 1), repeatRows=1)
    tbl.setStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5),
                  ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                  ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                  ("VALIGN", (0, 0), (-1, -1), "TOP"),
                  ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
    return tbl


def render_pdf(r: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable

    base = getSampleStyleSheet()
    styles = {"h1": base["Title"], "h2": base["Heading2"], "h3": base["Heading4"],
              "body": base["BodyText"],
              "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=7.5,
                                      leading=9),
              "note": ParagraphStyle("note", parent=base["BodyText"], fontSize=7.5, leading=9,
                                     textColor="#555555")}
    buf = io.BytesIO()
    title = (f"Situation report — delegation of {r.user.country}" if F.is_delegation(r.user)
             else "Situation report — Onward")

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 10 * mm, f"As of {r.on:%Y-%m-%d} · generated "
                          f"{r.generated_at:%Y-%m-%d %H:%M} · {r.database}"
                          + (" · small numbers suppressed" if r.shared else ""))
        canvas.drawRightString(195 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=18 * mm, title=title,
                            author="Onward", subject=f"As of {r.on}")
    story = [Paragraph(title, styles["h1"])]
    story += [Paragraph(line, styles["body"]) for line in header_lines(r)]
    story.append(Spacer(1, 6))
    # Key figures first.
    keys = []
    for key, label in (("population_total", "Population"), ("submitted_total",
                                                              "Persons in cases submitted")):
        t = r.table(key)
        if t:
            keys.append((label, F.cell_text(t.rows[0], 0, r.threshold)))
    dep = r.table("departures_by_month")
    if dep:
        keys.append(("Departures, last 12 months",
                     str(sum(v for row in dep.rows for v in row.values))))
    fc = r.table("funnel_cases")
    if fc and fc.rows:
        for s, j in (("submitted", 1), ("accepted", 2), ("departed", 3)):
            keys.append((f"Cases {s}, {fc.rows[0].label}", F.cell_text(fc.rows[0], j,
                                                                          r.threshold)))
    dup = r.table("duplicates")
    if dup:
        keys.append(("Duplicate pairs open", F.cell_text(dup.rows[1], 0, r.threshold)))
    if r.incidents:
        keys.append(("Incidents recorded", str(len(r.incidents))))
    if keys:
        story.append(Paragraph("Key figures", styles["h2"]))
        kt = RLTable([[k, v] for k, v in keys], colWidths=[250, 100])
        kt.setStyle([("FONTSIZE", (0, 0), (-1, -1), 10), ("FONTNAME", (1, 0), (1, -1),
                                                            "Helvetica-Bold"),
                     ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999")])
        story.append(kt)
    current = None
    for t in r.tables:
        if t.key in ("population_total", "submitted_total"):
            continue
        if t.section != current:
            current = t.section
            story.append(Paragraph(F.SECTION_TITLES.get(current, current), styles["h2"]))
        block = [Paragraph(f"{t.title} — as of {t.on:%Y-%m-%d}", styles["h3"])]
        chart = _chart(t, r)
        if chart is not None:
            block.append(chart)
        if t.rows:
            block.append(_table_flowable(t, r, styles))
        else:
            block.append(Paragraph("Nothing recorded by this date.", styles["note"]))
        if t.note:
            block.append(Paragraph(t.note, styles["note"]))
        block.append(Spacer(1, 6))
        story.append(KeepTogether(block) if len(t.rows) < 30 else block[0])
        if len(t.rows) >= 30:
            story += block[1:]
    if r.incidents:
        story.append(PageBreak())
        story.append(Paragraph("Incidents and their claims, side by side", styles["h2"]))
        story.append(Paragraph(f"Figures under the rule “{r.rule_label}”; each claim as "
                               "its source stated it (“—”: not given).", styles["note"]))
        for item in r.incidents:
            i = item["incident"]
            head = (f"{i.when} · {i.get_type_display()}" + (f" · {i.place}" if i.place else "")
                    + " — " + ", ".join(f"{n}: {f.value if f.value is not None else '—'}"
                                        f" (range {f.range_text})"
                                        for n, f in item["figures"].items()))
            data = [["Source", "Stated", "Official", "Killed", "Injured", "Missing", "Said"]]
            for c in item["claims"]:
                data.append([Paragraph(c.source + (f" citing {c.cites}" if c.cites else ""),
                                       styles["small"]), f"{c.stated_on}",
                             "yes" if c.official else "", *(
                                 "—" if getattr(c, n) is None else str(getattr(c, n))
                                 for n in ("killed", "injured", "missing")),
                             Paragraph(c.figures_text or "", styles["small"])])
            ct = RLTable(data, colWidths=[150, 55, 40, 40, 40, 40, 115], repeatRows=1)
            ct.setStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5),
                         ("GRID", (0, 0), (-1, -1), 0.25, "#999999"),
                         ("BACKGROUND", (0, 0), (-1, 0), "#eef2f6")])
            story.append(KeepTogether([Paragraph(head, styles["small"]), Spacer(1, 2), ct,
                                       Spacer(1, 6)]))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# -- XLSX ----------------------------------------------------------------------------------

def render_xlsx(r: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "About"
    for line in header_lines(r):
        about.append([line])
    used = {"About"}
    for t in r.tables:
        name = t.key[:31]
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([f"{t.title} — as of {t.on:%Y-%m-%d}"])
        ws["A1"].font = Font(bold=True)
        ws.append(t.columns)
        for row in t.rows:
            ws.append([row.label, *(
                F.cell_text(row, j, r.threshold) if row.suppressed[j] or row.values[j] is None
                else row.values[j] for j in range(len(row.values)))])
        if t.note:
            ws.append([])
            ws.append([t.note])
        ws.column_dimensions["A"].width = 42
    if r.incidents:
        ws = wb.create_sheet("claims")
        ws.append(["Incident", "Occurred", "Type", "Source", "Cites", "Stated on", "Official",
                   "Killed", "Injured", "Missing", "Said", "Publication"])
        for item in r.incidents:
            i = item["incident"]
            for c in item["claims"]:
                ws.append([i.pk, i.when, i.get_type_display(), c.source, c.cites,
                           c.stated_on, "yes" if c.official else "", c.killed, c.injured,
                           c.missing, c.figures_text, c.publication])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
