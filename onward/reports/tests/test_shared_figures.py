"""What a delegation (and any report shared outside the operation) is shown: on every
channel (dashboard, CSV, PDF, XLSX) each number is the true one, the same cells are
hidden and marked alike, the rule is stated, and no hidden cell of the real report can be
worked out from the relations its tables state."""

import csv
import datetime as dt
import io
import re
from html import unescape

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from onward.accounts import roles
from onward.reports import export
from onward.reports import figures as F
from onward.reports import suppression as S
from onward.reports.views import _chart_payload

RULE_WORDS = "hidden to protect the persons behind small numbers"


def _expected(truth: F.Table, shown: F.Table) -> list[list[str]]:
    """What each cell must read: the mark where hidden, else the true value."""
    return [
        [
            F.HIDDEN if s.suppressed[j] else ("—" if v is None else str(v))
            for j, v in enumerate(t.values)
        ]
        for t, s in zip(truth.rows, shown.rows, strict=True)
    ]


def _page_cells(html: str, key: str) -> list[list[str]]:
    section = html[html.index(f'id="figure-{key}"') :]
    section = section[: section.index("</section>")]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _number(value):
    """A cell as a number where it is one (XLSX gives 1 for 1.0), else as its text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return "—" if value is None else value


def _hidden_cells(tables) -> set:
    return {
        t.cell(i, j)
        for t in tables
        for i, r in enumerate(t.rows)
        for j, h in enumerate(r.suppressed)
        if h
    }


def test_every_channel_shows_a_delegation_true_figures_and_hides_the_same_cells(world, client):
    dl = world["users"][roles.DELEGATION]
    on = dt.date.today()
    truth = {t.key: t for t in F.dashboard(dl, on)}
    shown = F.report_tables(dl, on)
    assert _hidden_cells(shown), "the world has small numbers: something must be hidden"
    client.force_login(dl)
    html = client.get(reverse("dashboard"), {"as_of": str(on)}).content.decode()
    assert RULE_WORDS in html and "&lt;5" not in html
    xlsx = load_workbook(io.BytesIO(client.get(reverse("report_xlsx"), {"as_of": str(on)}).content))
    for t in shown:
        want = _expected(truth[t.key], t)
        if t.rows:
            assert _page_cells(html, t.key) == want, t.key
        lines = list(
            csv.reader(
                io.StringIO(
                    client.get(
                        reverse("report_csv", args=[t.key]), {"as_of": str(on)}
                    ).content.decode()
                )
            )
        )
        assert [line[1:-1] for line in lines[1 : len(t.rows) + 1]] == [
            [c.replace("—", "") for c in row] for row in want
        ], t.key
        assert RULE_WORDS in lines[-1][0]
        sheet = [
            [_number(c) for c in row[1:]]
            for row in xlsx[t.key[:31]].iter_rows(
                min_row=3, max_row=2 + len(t.rows), values_only=True
            )
        ]
        assert sheet == [[_number(c) for c in row] for row in want], t.key
    by_sex = next(t for t in shown if t.key == "submitted_by_sex")
    assert f"total {by_sex.total_text()}" in html
    pdf = PdfReader(io.BytesIO(client.get(reverse("report_pdf"), {"as_of": str(on)}).content))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "hidden to protect the persons" in text and "<5" not in text


def test_the_shared_report_of_staff_hides_what_the_delegation_rule_hides(world):
    dm = world["users"][roles.DATA_MANAGER]
    plain = export.situation_report(user=dm, on=dt.date.today())
    shared = export.situation_report(user=dm, on=dt.date.today(), shared=True)
    assert not _hidden_cells(plain.tables)
    assert _hidden_cells(shared.tables) == _hidden_cells(
        F.report_tables(dm, dt.date.today(), shared=True)
    )
    assert any(RULE_WORDS in line for line in export.header_lines(shared))


def test_no_hidden_cell_of_a_real_report_can_be_worked_out(world):
    """Over the delegation's report and the staff's shared one: every relation the tables
    state holds on the figures, and no hidden cell is pinned by them."""
    k = F.threshold()
    for user in (world["users"][roles.DELEGATION], world["users"][roles.DATA_MANAGER]):
        for on in (dt.date(2013, 3, 3), dt.date.today()):
            tables = F.suppress(F.dashboard(user, on), k)
            cells = F.report_cells(tables)
            result = S.protect(
                cells.values, cells.relations, k, free=cells.free, totals=cells.totals
            )
            assert not [r for r in result.ignored if r.certain]
            hidden = _hidden_cells(tables) | {t.total_cell for t in tables if t.total_suppressed}
            assert hidden == result.hidden and result.primary <= hidden
            ranges = S.bounds(
                cells.values,
                hidden,
                cells.relations,
                threshold=k,
                primary=result.primary,
                free=cells.free,
            )
            assert not [c for c, r in ranges.items() if S.found_out(*r)], (user, on)


def test_a_hidden_bar_is_drawn_as_hidden_and_its_value_never_reaches_the_page(world):
    dl = world["users"][roles.DELEGATION]
    tables = F.report_tables(dl, dt.date.today())
    t = next(
        t for t in tables if t.chart in ("bar", "hbar") and any(r.suppressed[0] for r in t.rows)
    )
    series = _chart_payload(t)["series"][0]
    for k, row in enumerate(t.rows):
        if row.suppressed[0]:
            assert k in series["hidden"] and series["data"][k] == 0
        else:
            assert k not in series["hidden"] and series["data"][k] == row.values[0]
