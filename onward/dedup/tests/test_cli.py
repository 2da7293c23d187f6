"""The ``onward dedup`` file contract and its refusal of bad input."""

import csv
import json

import pytest

from onward.dedup.cli import main
from onward.dedup.engine.records import PERSON_COLUMNS

HEADER = ",".join(PERSON_COLUMNS)


def row(pid, given, family, father, sex, dob, doc="", phone=""):
    return f"{pid},C{pid},principal,{given},{family},{father},{sex},{dob},IRN,{doc},{phone},"


GOOD = (
    "\n".join(
        [
            HEADER,
            row("1", "Mohammad", "Rezaei", "Ali", "M", "1985-03-02", "P1234567", "+98 912 1234567"),
            row("2", "Muhammad", "Rezaee", "Aly", "M", "1985-02-03"),
            row("3", "Zahra", "Karimi", "Hassan", "F", "1990"),
            row("4", "Maryam", "Karimi", "Hassan", "F", "1992-04-01"),
        ]
    )
    + "\n"
)


def write(tmp_path, text, name="people.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_contract(tmp_path, capsys):
    src = write(tmp_path, "\ufeff" + GOOD)  # a BOM is fine
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    rc = main([str(src), "--out", str(out), "--pairs-out", str(pairs), "--no-progress"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    for key in (
        "records",
        "candidate_pairs",
        "pairs_above_threshold",
        "clusters",
        "threshold",
        "seconds",
        "review_threshold",
        "pairs_for_review",
    ):
        assert key in summary
    assert summary["records"] == 4
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["person_id"] for r in rows] == ["1", "2", "3", "4"]
    cid = {r["person_id"]: r["cluster_id"] for r in rows}
    assert cid["1"] == cid["2"]
    assert cid["3"] != cid["4"] and cid["3"] != cid["1"]
    assert summary["clusters"] == len(set(cid.values())) == 3
    with open(pairs, newline="", encoding="utf-8") as fh:
        prs = list(csv.DictReader(fh))
    assert prs and {
        "person_id_a",
        "person_id_b",
        "match_probability",
        "match_weight",
        "given_name",
        "birth_date",
        "document_number",
    } <= set(prs[0])
    assert prs[0]["birth_date"] == "day_month_swapped"
    probs = [float(r["match_probability"]) for r in prs]
    assert probs == sorted(probs, reverse=True)  # most likely first
    for r, p in zip(prs, probs, strict=True):
        assert r["decision"] == (
            "match"
            if p >= summary["threshold"]
            else "review"
            if p >= summary["review_threshold"]
            else "no_match"
        )


@pytest.mark.parametrize(
    "text,needle",
    [
        ("", "empty"),
        ("person_id,given_name\n1,Ali\n", "missing column"),
        (
            HEADER + ",colour\n" + row("1", "Ali", "Karimi", "", "M", "1990") + ",red\n",
            "unknown column",
        ),
        (
            HEADER + "\n" + row("1", "Ali", "Karimi", "", "M", "2013-02-30") + "\n",
            "row 2, column birth_date",
        ),
        (
            HEADER
            + "\n"
            + row("1", "Ali", "Karimi", "", "M", "1990")
            + "\n"
            + row("2", "Reza", "Karimi", "", "M", "abc")
            + "\n",
            "row 3, column birth_date",
        ),
        (HEADER + "\n" + row("1", "Ali", "Karimi", "", "Q", "1990") + "\n", "column sex"),
        (
            HEADER
            + "\n"
            + row("1", "Ali", "Karimi", "", "M", "1990")
            + "\n"
            + row("1", "Reza", "Karimi", "", "M", "1990")
            + "\n",
            "duplicate id",
        ),
    ],
)
def test_bad_input_exit_2_and_no_output(tmp_path, capsys, text, needle):
    src = write(tmp_path, text)
    out = tmp_path / "clusters.csv"
    rc = main([str(src), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["people.csv"]  # no temp file left


def test_not_utf8(tmp_path, capsys):
    text = HEADER + "\n" + row("1", "Zoë", "Karimi", "", "F", "1990") + "\n"
    src = write(tmp_path, text.encode("latin-1"))
    rc = main([str(src), "--out", str(tmp_path / "c.csv"), "--no-progress"])
    assert rc == 2
    assert "not UTF-8" in capsys.readouterr().err and "row 2" in capsys.readouterr().err + "row 2"
    assert not (tmp_path / "c.csv").exists()
