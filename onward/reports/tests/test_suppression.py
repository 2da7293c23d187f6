"""Small-number suppression never lies and cannot be undone: over random tables with row,
column and grand totals, every figure shown is the true one, every small count is hidden,
and for every hidden cell the reader's exact reckoning (an integer programme over what is
shown, written here independently of `suppression.py`) leaves at least two values: the
only exception is a cell no suppression could protect (then hiding everything would not
either)."""

import datetime as dt

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.reports import figures as F
from onward.reports import suppression as S

KEY = "t"


@st.composite
def grids(draw):
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    small = st.integers(0, 6)
    value = st.one_of(small, small, st.integers(0, 60))
    data = [[draw(value) for _ in range(cols)] for _ in range(rows)]
    return {
        "data": data,
        "row_totals": draw(st.booleans()),
        "col_totals": draw(st.booleans()),
        "grand_total": draw(st.booleans()),
        "threshold": draw(st.integers(3, 6)),
    }


def as_table(g) -> F.Table:
    """The grid as a report table: a "Total" column and row when asked, and the grand total
    as the table's total; the relations stated the way the reports state theirs."""
    data, n, m = g["data"], len(g["data"]), len(g["data"][0])
    rows = [list(r) + ([sum(r)] if g["row_totals"] else []) for r in data]
    if g["col_totals"]:
        rows.append([sum(col) for col in zip(*rows, strict=True)])
    width = len(rows[0])
    t = F.Table(
        key=KEY,
        title="t",
        on=dt.date(2013, 1, 1),
        section="s",
        columns=["", *(f"c{j}" for j in range(m)), *(["Total"] if g["row_totals"] else [])],
        rows=[F.Row(f"r{i}", list(r)) for i, r in enumerate(rows)],
        total=sum(map(sum, data)) if g["grand_total"] else None,
    )
    if g["row_totals"]:
        t.relations += [
            S.sums_to([t.cell(i, j) for j in range(m)], t.cell(i, m)) for i in range(len(rows))
        ]
    if g["col_totals"]:
        t.relations += [
            S.sums_to([t.cell(i, j) for i in range(n)], t.cell(n, j)) for j in range(width)
        ]
    if g["grand_total"]:
        t.relations.append(
            S.sums_to([t.cell(i, j) for i in range(n) for j in range(m)], t.total_cell)
        )
    return t


def true_cells(g) -> dict:
    """Every figure of the grid by (row, column), totals included, "grand" the grand total."""
    data, n, m = g["data"], len(g["data"]), len(g["data"][0])
    cells = {(i, j): data[i][j] for i in range(n) for j in range(m)}
    if g["row_totals"]:
        cells |= {(i, m): sum(data[i]) for i in range(n)}
    if g["col_totals"]:
        cells |= {(n, j): sum(data[i][j] for i in range(n)) for j in range(m)}
        if g["row_totals"]:
            cells[(n, m)] = sum(map(sum, data))
    if g["grand_total"]:
        cells["grand"] = sum(map(sum, data))
    return cells


def shown(t: F.Table) -> dict:
    """What the table prints, cell by cell, as the reports print it."""
    out = {
        (i, j): F.cell_text(row, j) for i, row in enumerate(t.rows) for j in range(len(row.values))
    }
    if t.total is not None:
        out["grand"] = t.total_text()
    return out


def reckon(g, printed: dict) -> dict:
    """The reader's best reckoning: for each hidden cell the least and greatest whole value
    it can take, given every number printed, that the rows and columns add up to their
    totals, that counts are never negative and that a small (primary) cell lies between 1
    and threshold − 1 (the reader is even told which those are)."""
    cells, k = true_cells(g), g["threshold"]
    n, m = len(g["data"]), len(g["data"][0])
    hidden = [c for c in cells if printed[c] == F.HIDDEN]
    col = {c: i for i, c in enumerate(hidden)}
    h = highspy.Highs()
    h.silent()
    small = [0 < cells[c] < k for c in hidden]
    h.addVars(
        len(hidden),
        np.array([1.0 if s else 0.0 for s in small]),
        np.array([k - 1.0 if s else highspy.kHighsInf for s in small]),
    )
    if hidden:
        h.changeColsIntegrality(
            len(hidden),
            np.arange(len(hidden), dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * len(hidden)),
        )

    def equal(parts, whole):  # Σ parts − whole = 0, the printed ones moved to the right
        terms = [(p, 1.0) for p in parts] + [(whole, -1.0)]
        known = sum(c * cells[p] for p, c in terms if p not in col)
        unknown = [(col[p], c) for p, c in terms if p in col]
        if unknown:
            idx, coef = zip(*unknown, strict=True)
            h.addRow(-known, -known, len(idx), np.array(idx, dtype=np.int32), np.array(coef))

    rows_, cols_ = n + (1 if g["col_totals"] else 0), m + (1 if g["row_totals"] else 0)
    if g["row_totals"]:
        for i in range(rows_):
            equal([(i, j) for j in range(m)], (i, m))
    if g["col_totals"]:
        for j in range(cols_):
            equal([(i, j) for i in range(n)], (n, j))
    if g["grand_total"]:
        equal([(i, j) for i in range(n) for j in range(m)], "grand")
    out = {}
    for c in hidden:
        ends = []
        for sense in (1.0, -1.0):
            cost = np.zeros(len(hidden))
            cost[col[c]] = sense
            h.changeColsCost(len(hidden), np.arange(len(hidden), dtype=np.int32), cost)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                ends.append(sense * h.getInfo().objective_function_value)
            else:
                assert "nbounded" in h.modelStatusToString(status), h.modelStatusToString(status)
                ends.append(sense * -float("inf"))
        out[c] = tuple(ends)
    return out


def check(g):
    t = F.suppress([as_table(g)], g["threshold"])[0]
    printed, cells = shown(t), true_cells(g)
    for c, text in printed.items():  # (a) nothing false, nothing small shown
        if text != F.HIDDEN:
            assert text == str(cells[c]), (c, text, cells[c])
            assert not 0 < cells[c] < g["threshold"], (c, text)
    pinned = [c for c, (lo, hi) in reckon(g, printed).items() if hi - lo < 1]
    if pinned:  # (b) nothing hidden can be worked out, unless nothing could prevent it:
        # small cells that pin each other, such as 1 + 1 = 2 under a threshold of 3, give
        # themselves away to a reader told which cells are small even with all hidden
        # (the page does not tell: it marks every hidden cell alike).
        everything = reckon(g, dict.fromkeys(printed, F.HIDDEN))
        assert all(everything[c][1] - everything[c][0] < 1 for c in pinned), (pinned, printed)
    return printed


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids())
def test_no_figure_shown_is_false_and_no_hidden_cell_can_be_worked_out(g):
    check(g)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids())
def test_the_same_over_many_more_tables(g):
    check(g)


def test_the_mark_is_one_and_the_same_for_small_and_large_hidden_cells():
    """The Albania case: 1 person of sex other, so the women (196) are hidden with it; both
    read as hidden, neither as "<5"."""
    g = {
        "data": [[223], [196], [1]],
        "row_totals": False,
        "col_totals": True,
        "grand_total": False,
        "threshold": 5,
    }
    printed = check(g)
    assert [printed[(i, 0)] for i in range(4)] == ["223", F.HIDDEN, F.HIDDEN, "420"]


def test_two_small_cells_beside_a_total_are_not_enough():
    """1 and 1 with their sum shown: each could only be 1, so a third cell goes too."""
    g = {
        "data": [[1], [1], [30]],
        "row_totals": False,
        "col_totals": True,
        "grand_total": False,
        "threshold": 5,
    }
    printed = check(g)
    assert [printed[(i, 0)] for i in range(3)] == [F.HIDDEN] * 3


def test_a_small_total_is_hidden_in_every_table_that_shows_it():
    whole = ("n_total", 0, 0)
    total = F.Table(
        key="n_total",
        title="",
        on=dt.date(2013, 1, 1),
        section="s",
        columns=["", "Persons"],
        rows=[F.Row("Total", [3])],
    )
    part = F.Table(
        key="n_by_sex",
        title="",
        on=dt.date(2013, 1, 1),
        section="s",
        columns=["", "Persons"],
        rows=[F.Row("M", [3]), F.Row("F", [0])],
        total=3,
        total_cell=whole,
    )
    part.relations.append(S.sums_to(part.column(0), whole))
    F.suppress([total, part], 5)
    assert F.cell_text(total.rows[0], 0) == F.HIDDEN and part.total_text() == F.HIDDEN
    assert F.cell_text(part.rows[1], 0) == "0"


def test_remaining_places_are_hidden_with_the_accepted_count_they_derive_from():
    t = F.Table(
        key="pledge_use",
        title="x",
        on=dt.date(2013, 1, 1),
        section="relocation",
        columns=["", "Capacity", "Submitted", "Pending", "Accepted", "Departed", "Remaining"],
        kinds=["plain", "count", "count", "count", "count", "derived"],
        rows=[F.Row("p", [210, 80, 9, 2, 0, 208])],
    )
    t.relations.append(S.equals_constant([t.cell(0, 5), t.cell(0, 3)], 210))
    F.suppress([t], 5)
    assert [F.cell_text(t.rows[0], j) for j in range(6)] == [
        "210",
        "80",
        "9",
        F.HIDDEN,
        "0",
        F.HIDDEN,
    ]


def test_a_relation_that_does_not_hold_is_left_out_and_said():
    values = {"a": 3, "b": 40, "t": 50}
    result = S.protect(values, [S.sums_to(["a", "b"], "t")], 5)
    assert result.hidden == {"a"} and len(result.ignored) == 1


def test_rows_ranked_by_value_go_in_the_order_of_their_labels_when_cells_are_hidden():
    """Ranked, the hidden rows' places would tell that AUS and CAN hold the same count and
    DNK a smaller one, which with the total pins all three."""
    whole = ("n_total", 0, 0)
    total = F.Table(
        key="n_total",
        title="",
        on=dt.date(2013, 1, 1),
        section="s",
        columns=["", "Persons"],
        rows=[F.Row("Total", [57])],
    )
    nat = F.Table(
        key="n_by_nationality",
        title="",
        on=dt.date(2013, 1, 1),
        section="s",
        columns=["", "Persons"],
        ranked=True,
        total=57,
        total_cell=whole,
        rows=[F.Row(c, [n]) for c, n in (("IRN", 50), ("AUS", 3), ("CAN", 3), ("DNK", 1))],
    )
    nat.relations.append(S.sums_to(nat.column(0), whole))
    F.suppress([total, nat], 5)
    assert [(r.label, F.cell_text(r, 0)) for r in nat.rows] == [
        ("AUS", F.HIDDEN),
        ("CAN", F.HIDDEN),
        ("DNK", F.HIDDEN),
        ("IRN", "50"),
    ]
