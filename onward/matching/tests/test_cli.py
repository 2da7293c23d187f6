"""``onward match``: the file contract, and bad input refused whole (exit 2, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from onward.matching.cli import main

PLEDGES = "pledge_id,places,medical\nP1,2,1\nP2,2,0\n"
CASES = "case_id,places,medical\nA,2,1\nB,1,0\nC,2,0\n"
SCORES = "case_id,pledge_id,score\nA,P1,10\nB,P1,4\nB,P2,5\nC,P1,6\nC,P2,7\n"


def _files(tmp: Path, **over: str) -> list[str]:
    """Write the three inputs (overridden where asked) and return the CLI arguments."""
    texts = {"pledges": PLEDGES, "cases": CASES, "scores": SCORES, **over}
    argv = []
    for name, text in texts.items():
        (tmp / f"{name}.csv").write_text(text)
        argv += [f"--{name}", str(tmp / f"{name}.csv")]
    return [*argv, "--out", str(tmp / "out.csv"), "--quiet"]


def test_writes_the_plan_and_one_json_object(tmp_path: Path, capsys) -> None:
    code = main([*_files(tmp_path), "--gap", "0", "--explain", str(tmp_path / "why.json")])
    out = capsys.readouterr().out
    assert code == 0
    summary = json.loads(out)
    assert summary["objective"] == 17.0 and summary["bound"] >= 17.0 - 1e-9
    assert summary["assigned"] == 2 and summary["status"] == "optimal"
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert {r["case_id"]: r["pledge_id"] for r in rows} == {"A": "P1", "B": "", "C": "P2"}
    why = {c["case_id"]: c for c in json.loads((tmp_path / "why.json").read_text())["cases"]}
    assert why["B"]["pledge_id"] is None and why["B"]["alternative"] == "P2"
    assert why["B"]["blocked_by"]["pledge_id"] == "P2"


def test_called_from_a_long_lived_process_the_limit_counts_from_the_call(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """A worker or a test process that started long ago: its age is not the command's
    (counted from the process's start, the limit had run out before the solve began, and
    the plan was the greedy one, 11 instead of 17)."""
    from onward.matching import cli

    monkeypatch.setattr(cli, "process_age", lambda: 10_000.0)
    assert main([*_files(tmp_path), "--gap", "0", "--time-limit", "5"]) == 0
    assert json.loads(capsys.readouterr().out)["objective"] == 17.0


def test_locks_and_forbids_are_kept(tmp_path: Path, capsys) -> None:
    (tmp_path / "locks.csv").write_text("case_id,pledge_id\nB,P2\n")
    (tmp_path / "forbids.csv").write_text("case_id,pledge_id\nA,P1\n")
    argv = [
        *_files(tmp_path),
        "--locks",
        str(tmp_path / "locks.csv"),
        "--forbids",
        str(tmp_path / "forbids.csv"),
        "--gap",
        "0",
    ]
    assert main(argv) == 0
    plan = {r["case_id"]: r["pledge_id"] for r in csv.DictReader((tmp_path / "out.csv").open())}
    assert plan == {"A": "", "B": "P2", "C": "P1"}
    assert json.loads(capsys.readouterr().out)["objective"] == 11.0


BAD = [
    (
        "unknown case in scores",
        {"scores": SCORES + "Z,P1,3\n"},
        "scores.csv, row 7, field 'case_id'",
    ),
    ("unknown pledge in scores", {"scores": SCORES + "A,P9,3\n"}, "row 7, field 'pledge_id'"),
    (
        "negative capacity",
        {"pledges": "pledge_id,places,medical\nP1,-3,1\nP2,2,0\n"},
        "pledges.csv, row 2, field 'places'",
    ),
    (
        "negative use",
        {"cases": "case_id,places,medical\nA,2,-1\nB,1,0\nC,2,0\n"},
        "cases.csv, row 2, field 'medical'",
    ),
    (
        "missing dimension",
        {"cases": "case_id,places\nA,2\nB,1\nC,2\n"},
        "cases.csv, row 1, field 'medical': missing column",
    ),
    (
        "unknown column",
        {"cases": "case_id,places,medical,age\nA,2,1,3\nB,1,0,3\nC,2,0,3\n"},
        "field 'age': unknown column",
    ),
    (
        "non-integer use",
        {"cases": "case_id,places,medical\nA,2.5,1\nB,1,0\nC,2,0\n"},
        "cases.csv, row 2, field 'places': not an integer",
    ),
    (
        "non-number score",
        {"scores": SCORES.replace("B,P1,4", "B,P1,four")},
        "scores.csv, row 3, field 'score': not a number",
    ),
    ("infinite score", {"scores": SCORES.replace("B,P1,4", "B,P1,inf")}, "row 3, field 'score'"),
    (
        "duplicate case id",
        {"cases": CASES + "B,1,0\n"},
        "cases.csv, row 5, field 'case_id': duplicate",
    ),
    (
        "duplicate pledge id",
        {"pledges": PLEDGES + "P1,1,1\n"},
        "pledges.csv, row 4, field 'pledge_id'",
    ),
    (
        "duplicate pair",
        {"scores": SCORES + "B,P2,1\n"},
        "scores.csv, row 7, field 'pledge_id': duplicate",
    ),
    ("empty scores", {"scores": ""}, "scores.csv, row 1: empty file"),
    ("header only", {"cases": "case_id,places,medical\n"}, "cases.csv: no data rows"),
    ("short row", {"scores": SCORES + "A,P2\n"}, "scores.csv, row 7: 2 fields"),
]


@pytest.mark.parametrize(("what", "over", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_whole(
    tmp_path: Path, capsys, what: str, over: dict, message: str
) -> None:
    code = main(_files(tmp_path, **over))
    captured = capsys.readouterr()
    assert code == 2, what
    assert message in captured.err
    assert captured.out == ""
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


BAD_LOCKS = [
    (
        "lock on a pair not allowed",
        "case_id,pledge_id\nA,P2\n",
        "",
        "locks.csv, row 2, field 'pledge_id': lock on a pair that is not allowed",
    ),
    (
        "lock on a forbidden pair",
        "case_id,pledge_id\nB,P2\n",
        "case_id,pledge_id\nB,P2\n",
        "locks.csv, row 2, field 'pledge_id': lock on a forbidden pair",
    ),
    ("locks beyond capacity", "case_id,pledge_id\nA,P1\nC,P1\n", "", "field 'places'"),
    ("unknown case in locks", "case_id,pledge_id\nQ,P1\n", "", "locks.csv, row 2, field 'case_id'"),
    ("empty locks file", "", "", "locks.csv, row 1: empty file"),
]


@pytest.mark.parametrize(
    ("what", "locks", "forbids", "message"), BAD_LOCKS, ids=[b[0] for b in BAD_LOCKS]
)
def test_bad_locks_are_refused(
    tmp_path: Path, capsys, what: str, locks: str, forbids: str, message: str
) -> None:
    (tmp_path / "locks.csv").write_text(locks)
    argv = [*_files(tmp_path), "--locks", str(tmp_path / "locks.csv")]
    if forbids:
        (tmp_path / "forbids.csv").write_text(forbids)
        argv += ["--forbids", str(tmp_path / "forbids.csv")]
    assert main(argv) == 2, what
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_a_tiny_time_limit_still_writes_a_feasible_plan(tmp_path: Path, capsys) -> None:
    n = 1500
    cases = "case_id,places,medical\n" + "".join(
        f"C{i},{1 + i % 5},{i % 7 == 0:d}\n" for i in range(n)
    )
    pledges = "pledge_id,places,medical\n" + "".join(
        f"P{j},{60 + 7 * j},{4 + j % 3}\n" for j in range(20)
    )
    scores = "case_id,pledge_id,score\n" + "".join(
        f"C{i},P{j},{(i * 31 + j * 17) % 97 + 1}\n"
        for i in range(n)
        for j in range(20)
        if (i + j) % 2
    )
    assert (
        main(
            [*_files(tmp_path, cases=cases, pledges=pledges, scores=scores), "--time-limit", "0.01"]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["objective"] <= summary["bound"]
    plan = {r["case_id"]: r["pledge_id"] for r in csv.DictReader((tmp_path / "out.csv").open())}
    assert len(plan) == n
    used: dict[str, list[int]] = {}
    for i in range(n):
        p = plan[f"C{i}"]
        if p:
            assert (i + int(p[1:])) % 2, "pair not allowed"
            u = used.setdefault(p, [0, 0])
            u[0] += 1 + i % 5
            u[1] += i % 7 == 0
    for p, (places, medical) in used.items():
        j = int(p[1:])
        assert places <= 60 + 7 * j and medical <= 4 + j % 3


def test_the_columnar_reader_reads_what_the_row_reader_reads(tmp_path: Path) -> None:
    """Quoted ids, a byte-order mark and rows out of order: pyarrow's reading equals the rows'."""
    from onward.matching import cli

    path = tmp_path / "scores.csv"
    path.write_text('\ufeffscore,case_id,pledge_id\n6,C,P1\n10,"A",P1\n5.5,B,P2\n4,B,P1\n')
    cases, pledges = {"A": 0, "B": 1, "C": 2}, {"P1": 0, "P2": 1}
    fast = cli._read_scores_columnar(path, ["score", "case_id", "pledge_id"], cases, pledges)
    assert fast is not None
    c, p, s = cli.read_scores(path, cases, pledges, lambda _m: None)
    assert c.tolist() == [0, 1, 1, 2] and p.tolist() == [0, 0, 1, 0]
    assert s.tolist() == [10.0, 4.0, 5.5, 6.0]
    rows = cli._read_scores(
        path, cases, pledges, lambda _m: None, ["case_id", "pledge_id", "score"]
    )
    assert [a.tolist() for a in rows] == [c.tolist(), p.tolist(), s.tolist()]


def test_a_score_the_columnar_reader_refuses_is_read_row_by_row(tmp_path: Path) -> None:
    from onward.matching import cli

    path = tmp_path / "scores.csv"
    path.write_text(
        "case_id,pledge_id,score\nA,P1,\u0661\u0660\n", encoding="utf-8"
    )  # Arabic-Indic 10
    assert (
        cli._read_scores_columnar(path, ["case_id", "pledge_id", "score"], {"A": 0}, {"P1": 0})
        is None
    )
    assert cli.read_scores(path, {"A": 0}, {"P1": 0}, lambda _m: None)[2].tolist() == [10.0]
