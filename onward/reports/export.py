"""The situation report: the dashboard's tables for one date as a PDF of a few pages
(onward.pdf: fpdf2 with shaped text in any script, charts built with reportlab.graphics)
or an XLSX workbook (one sheet a table).

A report is titled with the operation's name (setting ONWARD_OPERATION_NAME) and states
when it was generated and by whom, the date it is true for, the rule used for incident
figures, and whether small numbers were suppressed. It names nothing of the server (no
database, path or host): it leaves the building. A delegation's report is always
suppressed ("shared outside the operation") and holds only its own country's figures
(figures.sections_for).
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
    forecast: list[list[str]] | None = None  # the forecast's rows (issue 23), staff only

    def table(self, key):
        return next((t for t in self.tables if t.key == key), None)


def report_title(r: Report) -> str:
    """The operation's name first: the reader of a printed page knows where it is from."""
    operation = settings.ONWARD_OPERATION_NAME
    title = (
        f"Situation report — delegation of {r.user.country}"
        if F.is_delegation(r.user)
        else "Situation report"
    )
    return f"{operation}: {title[0].lower()}{title[1:]}" if operation else title


def situation_report(
    *, user, on: dt.date, shared: bool = False, rule: str = "latest_official"
) -> Report:
    """Builds the report for `user` (within its scope) as of `on`; audited as an export."""
    from onward.incidents.selectors import RULES

    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    shared = shared or F.is_delegation(user)
    threshold = F.threshold()
    tables = F.report_tables(user, on, shared=shared, rule=rule)
    incidents = F.incident_rows(user, on, rule) if "incidents" in F.sections_for(user) else []
    connection.ensure_connection()
    real = user if getattr(user, "pk", None) else None  # None: the command line
    audit_record(
        actor=real,
        actor_name=None if real else "command line",
        action=AuditEntry.Action.EXPORT,
        object_type="report",
        object_id=f"{on}",
        detail=f"situation report as_of={on} rule={rule} shared={shared}",
    )
    return Report(
        user=user,
        on=on,
        tables=tables,
        incidents=incidents,
        rule=rule,
        rule_label=RULES[rule],
        shared=shared,
        threshold=threshold,
        generated_at=timezone.localtime(),
        forecast=forecast_rows(user, on),
    )


def forecast_rows(user, on: dt.date) -> list[list[str]] | None:
    """The population forecast at 3, 6 and 12 months (docs/forecast.md), for the roles
    that see the population; None for a delegation, or when the records do not reach `on`."""
    from onward.accounts.policy import can
    from onward.reports import forecast as fc

    if F.is_delegation(user) or not can(user, "registry.view"):
        return None
    try:
        out = fc.run_forecast(fc.forecast_input(on, months=12, runs=1000))
    except fc.ForecastError:
        return None
    return [
        ["Months ahead", "Date", "Median", "10th percentile", "90th percentile"],
        *(
            [str(m), out["dates"][m], *(f"{out[k][m]:.0f}" for k in ("median", "p10", "p90"))]
            for m in (3, 6, 12)
        ),
    ]


def header_lines(r: Report) -> list[str]:
    scope = (
        f"Delegation of {r.user.country}: figures about its own submissions only"
        if F.is_delegation(r.user)
        else "The whole operation"
    )
    lines = [
        f"As of {r.on:%Y-%m-%d} (end of day): every figure is true for this date.",
        f"Generated {r.generated_at:%Y-%m-%d %H:%M %Z} by "
        f"{getattr(r.user, 'username', '') or 'the command line'}.",
        f"Scope: {scope}.",
    ]
    if "incidents" in F.sections_for(r.user):
        lines.append(f"Incident figures: rule “{r.rule_label}”.")
    if r.shared:
        lines.append(f"For sharing outside the operation. {F.suppression_rule(r.threshold)}")
    return lines


def hidden_legend(t) -> str:
    """The line under a table that hides cells."""
    if any(any(row.suppressed) for row in t.rows) or t.total_suppressed:
        return f"{F.HIDDEN}: hidden to protect small numbers (the rule is on the first page)."
    return ""


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
        return (
            0 if row.suppressed[j] or not isinstance(row.values[j], int | float) else row.values[j]
        )

    if t.chart == "line" and t.rows:
        d = Drawing(480, 170)
        lp = LinePlot()
        lp.x, lp.y, lp.width, lp.height = 45, 30, 420, 120
        # A hidden point is a gap in the line, never a point at 0.
        segments = [[]]
        for i, row in enumerate(t.rows):
            if row.suppressed[0] or not isinstance(row.values[0], int | float):
                segments.append([])
            else:
                segments[-1].append((i, row.values[0]))
        lp.data = [seg for seg in segments if seg] or [[(0, 0)]]
        for k in range(len(lp.data)):
            lp.lines[k].strokeColor = colors.HexColor(PATTERN_GREYS[0])
            lp.lines[k].symbol = makeMarker("FilledCircle")
        lp.xValueAxis.valueSteps = list(range(0, len(t.rows), 3))
        lp.xValueAxis.labelTextFormat = lambda i: (
            t.rows[int(i)].label[:7] if 0 <= int(i) < len(t.rows) else ""
        )
        lp.xValueAxis.labels.fontSize = 7
        lp.yValueAxis.labels.fontSize = 7
        lp.yValueAxis.valueMin = 0
        d.add(lp)
        last = t.rows[-1]
        d.add(
            String(470, 155, f"{last.label}: {F.cell_text(last, 0)}", fontSize=7, textAnchor="end")
        )
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
    height = (
        max(140, 16 * len(rows) * (len(cols) if not horizontal else 1) + 50) if horizontal else 170
    )
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
        # Each bar's own cell text: a hidden bar is drawn empty and marked, never as 0.
        data_cols = cols if (t.chart == "stacked" or t.key.startswith("funnel")) else cols[:1]
        bc.barLabelFormat = "values"
        bc.barLabelArray = [[F.cell_text(row, j) for row in rows] for j in data_cols]
        bc.barLabels.fontSize = 6
        bc.barLabels.nudge = 6
    d.add(bc)
    if len(bc.data) > 1:
        legend = Legend()
        legend.x, legend.y = (400 if not horizontal else 455), d.height - 10
        legend.fontSize = 7
        legend.alignment = "right"
        legend.colorNamePairs = [
            (colors.HexColor(PATTERN_GREYS[i % 6]), t.columns[j + 1][:22])
            for i, j in enumerate(cols)
        ]
        d.add(legend)
    return d


def _table_rows(t, r: Report) -> list[list[str]]:
    rows = [list(t.columns)]
    for row in t.rows:
        rows.append([row.label, *(F.cell_text(row, j) for j in range(len(row.values)))])
    if t.total is not None and t.key.endswith(("_by_sex", "_by_age_band", "_by_nationality")):
        rows.append(["Total", t.total_text()] + [""] * (len(t.columns) - 2))
    return rows


TABLE_WIDTH = 480  # points, as the charts
TITLE_SIZE, NOTE_SIZE, CELL_SIZE = 9.5, 7.5, 7.5


def _key_figures(r: Report) -> list[tuple[str, str]]:
    keys = []
    for key, label in (
        ("population_total", "Population"),
        ("submitted_total", "Persons in cases submitted"),
    ):
        t = r.table(key)
        if t:
            keys.append((label, F.cell_text(t.rows[0], 0)))
    dep = r.table("departures_by_month")
    if dep:
        keys.append(("Departures, last 12 months", dep.total_text()))
    fc = r.table("funnel_cases")
    if fc and fc.rows:
        for s, j in (("submitted", 1), ("accepted", 2), ("departed", 3)):
            keys.append((f"Cases {s}, {fc.rows[0].label}", F.cell_text(fc.rows[0], j)))
    dup = r.table("duplicates")
    if dup:
        keys.append(("Duplicate pairs open", F.cell_text(dup.rows[1], 0)))
    if r.incidents:
        keys.append(("Incidents recorded", str(len(r.incidents))))
    return keys


def _slanted(chart) -> bool:
    axis = getattr(
        next((c for c in chart.contents if hasattr(c, "categoryAxis")), None), "categoryAxis", None
    )
    return bool(axis is not None and getattr(axis.labels, "angle", 0))


def _table_block(pdf, t, r: Report, *, section: str | None) -> None:
    """A table's title, chart, rows and note, kept together when they fit on a page, and
    never a title (or a section's heading) alone at a page's foot: what starts a page
    is the title with its chart and the table's heading with its first rows."""
    from onward.pdf.drawing import draw

    chart = _chart(t, r)
    rows = _table_rows(t, r) if t.rows else None
    align = ["L"] + ["R"] * (len(t.columns) - 1)
    title_h = TITLE_SIZE * 1.35 + 4
    start = (
        title_h
        + (chart.height + 14 if chart is not None else 0)
        + (18 if section else 0)
        + NOTE_SIZE * 2
    )
    first = start + (
        pdf.grid_height(rows, size=CELL_SIZE, width=TABLE_WIDTH, upto=4) if rows else 0
    )
    whole = (
        start
        + (pdf.grid_height(rows, size=CELL_SIZE, width=TABLE_WIDTH) if rows else 0)
        + (NOTE_SIZE * 3 if t.note else 0)
        + (NOTE_SIZE * 3 if hidden_legend(t) else 0)
    )
    pdf.keep_with_next(whole if whole < pdf.eph * 0.8 else first)
    if section:
        pdf.heading(section, size=13, space_before=8)
    pdf.heading(f"{t.title} — as of {t.on:%Y-%m-%d}", size=TITLE_SIZE, space_before=4)
    if chart is not None:
        draw(pdf, chart, pdf.l_margin, pdf.y)
        # Slanted category labels hang below the drawing's box.
        pdf.set_y(pdf.y + chart.height + (14 if _slanted(chart) else 4))
    if rows:
        pdf.grid(rows, size=CELL_SIZE, width=TABLE_WIDTH, align=align)
    else:
        pdf.paragraph("Nothing recorded by this date.", size=NOTE_SIZE, grey=True)
    if t.note:
        pdf.ln(2)
        pdf.paragraph(t.note, size=NOTE_SIZE, grey=True)
    if legend := hidden_legend(t):
        pdf.ln(2)
        pdf.paragraph(legend, size=NOTE_SIZE, grey=True)
    pdf.ln(6)


def _incidents(pdf, r: Report) -> None:
    pdf.add_page()
    pdf.heading("Incidents and their claims, side by side", size=13, space_before=0)
    pdf.paragraph(
        f"Figures under the rule “{r.rule_label}”; each claim as its source stated "
        "it (“—”: not given).",
        size=NOTE_SIZE,
        grey=True,
        after=4,
    )
    for item in r.incidents:
        i = item["incident"]
        head = (
            f"{i.when} · {i.get_type_display()}"
            + (f" · {i.place}" if i.place else "")
            + " — "
            + ", ".join(
                f"{n}: {f.value if f.value is not None else '—'} (range {f.range_text})"
                for n, f in item["figures"].items()
            )
        )
        rows = [["Source", "Stated", "Official", "Killed", "Injured", "Missing", "Said"]]
        for c in item["claims"]:
            rows.append(
                [
                    c.source + (f" citing {c.cites}" if c.cites else ""),
                    f"{c.stated_on}",
                    "yes" if c.official else "",
                    *(
                        "—" if getattr(c, n) is None else str(getattr(c, n))
                        for n in ("killed", "injured", "missing")
                    ),
                    c.figures_text or "",
                ]
            )
        whole = pdf.grid_height(rows, size=CELL_SIZE)
        pdf.keep_with_next(
            30 + (whole if whole < pdf.eph * 0.8 else pdf.grid_height(rows, size=CELL_SIZE, upto=3))
        )
        pdf.paragraph(head, size=CELL_SIZE, bold=True)
        pdf.grid(rows, size=CELL_SIZE, align=["L", "L", "L", "R", "R", "R", "L"])
        pdf.ln(6)


def render_pdf(r: Report) -> bytes:
    from onward.pdf import Document

    title = report_title(r)
    pdf = Document(
        title=title,
        subject=f"As of {r.on}",
        margin=40,
        footer=lambda page: (
            f"{title} · as of {r.on:%Y-%m-%d} · generated "
            f"{r.generated_at:%Y-%m-%d %H:%M}"
            + (" · small numbers suppressed" if r.shared else "")
            + f" · page {page}"
        ),
    )
    pdf.add_page()
    pdf.heading(title, size=17, space_before=0)
    for line in header_lines(r):
        pdf.paragraph(line, size=9, after=1)
    if keys := _key_figures(r):
        pdf.heading("Key figures", size=13, space_before=8)
        pdf.grid(
            [["Figure", f"As of {r.on:%Y-%m-%d}"], *keys], size=9.5, width=350, align=["L", "R"]
        )
        pdf.ln(4)
    current = None
    for t in r.tables:
        if t.key in ("population_total", "submitted_total"):
            continue
        section = None
        if t.section != current:
            current = t.section
            section = F.SECTION_TITLES.get(current, current)
        _table_block(pdf, t, r, section=section)
    if r.forecast:
        _forecast(pdf, r)
    if r.incidents:
        _incidents(pdf, r)
    return pdf.output()


def _forecast(pdf, r: Report) -> None:
    pdf.keep_with_next(120)
    pdf.heading("Forecast of the population", size=13, space_before=8)
    pdf.paragraph(
        "Simulated from the records as of this date with the operation's own rates "
        "(1,000 runs): the median and the 10th–90th percentile. The page Reports → "
        "Forecast shows its backtest: how often such an interval held the truth.",
        size=NOTE_SIZE,
        grey=True,
        after=4,
    )
    pdf.grid(r.forecast, size=CELL_SIZE, width=TABLE_WIDTH, align=["R", "L", "R", "R", "R"])
    pdf.ln(6)


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
            ws.append(
                [
                    row.label,
                    *(
                        F.cell_text(row, j)
                        if row.suppressed[j] or row.values[j] is None
                        else row.values[j]
                        for j in range(len(row.values))
                    ),
                ]
            )
        if t.total is not None:
            ws.append(
                [
                    "Total" if len(t.columns) == 2 else "Total of every cell",
                    t.total if not t.total_suppressed else F.HIDDEN,
                ]
            )
        if t.note:
            ws.append([])
            ws.append([t.note])
        if hidden_legend(t):
            ws.append([F.suppression_rule(r.threshold)])
        ws.column_dimensions["A"].width = 42
    if r.incidents:
        ws = wb.create_sheet("claims")
        ws.append(
            [
                "Incident",
                "Occurred",
                "Type",
                "Source",
                "Cites",
                "Stated on",
                "Official",
                "Killed",
                "Injured",
                "Missing",
                "Said",
                "Publication",
            ]
        )
        for item in r.incidents:
            i = item["incident"]
            for c in item["claims"]:
                ws.append(
                    [
                        i.pk,
                        i.when,
                        i.get_type_display(),
                        c.source,
                        c.cites,
                        c.stated_on,
                        "yes" if c.official else "",
                        c.killed,
                        c.injured,
                        c.missing,
                        c.figures_text,
                        c.publication,
                    ]
                )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
