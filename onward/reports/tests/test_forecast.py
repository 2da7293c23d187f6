"""The forecast from the records: the engine's input as of a date, scenarios, the
command and its refusals, the backtest."""

import json

import pytest
from django.core.management import CommandError, call_command

from onward.movements.ledger import population_on
from onward.reports import forecast as fc

pytestmark = pytest.mark.django_db


def last_day():
    return fc.history_bounds()[1]


def test_the_input_holds_the_waiting_cases_pledges_and_head_count(world):
    on = last_day()
    data = fc.forecast_input(on, months=6, runs=50)
    steps = sorted((c["step"], c["persons"]) for c in data["cases"])
    # a_sub submitted (2), a_acc and f_acc accepted (3, 4), f_rej back to assessed (2),
    # idle identified (2); the departed case waits no more.
    assert steps == [
        ("accepted", 3),
        ("accepted", 4),
        ("assessed", 2),
        ("identified", 2),
        ("submitted", 2),
    ]
    places = {p["country"]: p["places"] for p in data["pledges"]}
    assert places == {"ALB": 20 - 3 - 1, "FRA": 30 - 4}
    assert data["present"] == population_on(on)
    assert data["countries"]["FRA"]["accept"] == 0.5  # one accepted, one rejected


def test_a_forecast_runs_from_the_records_with_dates(world):
    out = fc.run_forecast(fc.forecast_input(last_day(), months=6, runs=200, seed=1))
    assert out["median"][0] == population_on(last_day())
    assert len(out["dates"]) == 7 and out["p10"][6] <= out["median"][6] <= out["p90"][6]


def test_scenarios_change_the_input_as_they_say(world):
    data = fc.forecast_input(last_day(), months=6, runs=50)
    more = fc.apply(data, fc.Scenario("pledge", country="ALB", places=40))
    assert [p["places"] for p in more["pledges"] if p["id"].startswith("scenario")] == [40]
    assert fc.apply(data, fc.Scenario("stop", country="FRA"))["countries"]["FRA"]["decide"] == 0
    twice = fc.apply(data, fc.Scenario("transfers", factor=2))
    assert twice["transfers"]["per_month"] == 2 * data["transfers"]["per_month"]
    assert len(data["pledges"]) == 2  # the input itself is unchanged
    with pytest.raises(fc.ForecastError, match="'XXX' has no pledge"):
        fc.apply(data, fc.Scenario("stop", country="XXX"))
    with pytest.raises(fc.ForecastError, match="places: -4 is negative"):
        fc.apply(data, fc.Scenario("pledge", country="ALB", places=-4))


@pytest.mark.parametrize(
    "args, named",
    [
        (["--places", "999999:5"], "no pledge '999999'"),
        (["--as-of", "1999-01-01"], "1999-01-01 is outside the records"),
        (["--as-of", "2013-02-31"], "'2013-02-31' is not a date"),
        (["--scenario", "pledge:ALB:-3"], "places: -3 is negative"),
        (["--scenario", "fly:ALB"], "the kind must be"),
    ],
)
def test_the_command_refuses_bad_input_naming_it(world, args, named):
    with pytest.raises(CommandError, match=named):
        call_command("forecast", "--runs", "20", *args)


def test_negative_places_on_a_pledge_are_refused_naming_it(world):
    pk = world["alb"].pk
    with pytest.raises(CommandError, match=f"pledge {pk} has 16 places left"):
        call_command("forecast", "--runs", "20", "--places", f"{pk}:-17")


def test_the_command_writes_the_forecast_and_scenarios(world, tmp_path):
    out = tmp_path / "f.json"
    call_command(
        "forecast",
        "--runs",
        "100",
        "--months",
        "6",
        "--out",
        str(out),
        "--places",
        f"{world['alb'].pk}:10",
        "--scenario",
        "stop:FRA",
        "--scenario",
        "transfers:2",
        "--dump",
        str(tmp_path / "in.json"),
    )
    result = json.loads(out.read_text())
    assert [s["label"] for s in result["scenarios"]] == [
        "FRA stops deciding",
        "transfers 2× as often",
    ]
    assert len(result["forecast"]["median"]) == 7
    # The dumped input runs alone through the engine's file contract: same seed, same result.
    again = tmp_path / "again.json"
    call_command("forecast", "--input", str(tmp_path / "in.json"), "--out", str(again))
    assert json.loads(again.read_text())["forecast"]["median"] == result["forecast"]["median"]


def test_the_backtest_forecasts_from_every_month_of_the_history(world):
    first, last = fc.history_bounds()
    result = fc.backtest(last, runs=30)
    assert [r["as_of"] for r in result["rows"]] == ["2013-02-05", "2013-03-05"]
    # The history is ten weeks long: no forecast has a truth 3 months on yet, none scored.
    assert [(h["months"], h["n"], h["flagged"]) for h in result["horizons"]] == [
        (3, 0, False),
        (6, 0, False),
        (12, 0, False),
    ]


def cell(truth, median, p10, p90):
    return {"truth": truth, "median": median, "p10": p10, "p90": p90}


def test_an_interval_that_misses_more_often_than_it_says_is_flagged():
    good = [{"as_of": str(i), 3: cell(100, 100 + (i % 3), 90, 110)} for i in range(20)]
    bad = [{"as_of": str(i), 3: cell(100, 120, 115, 125)} for i in range(20)]
    assert fc._score(good, 3) == {
        "months": 3,
        "n": 20,
        "mae": 0.95,
        "coverage": 1.0,
        "flagged": False,
    }
    scored = fc._score(bad, 3)
    assert scored["coverage"] == 0.0 and scored["mae"] == 20.0 and scored["flagged"]


def test_the_page_shows_staff_the_forecast_scenarios_and_backtest(world, client):
    from onward.accounts import roles

    client.force_login(world["users"][roles.DATA_MANAGER])
    day = last_day().isoformat()
    page = client.get(
        "/reports/forecast/", {"as_of": day, "kind": "stop", "country": "FRA", "s": "transfers:2"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "FRA stops deciding" in html and "transfers 2× as often" in html
    assert 'id="backtest-table"' in html and 'value="stop:FRA"' in html
    bad = client.get(
        "/reports/forecast/", {"as_of": day, "kind": "pledge", "country": "ALB", "places": "-3"}
    )
    assert "places: -3 is negative" in bad.content.decode()
    outside = client.get("/reports/forecast/", {"as_of": "2012-01-01"})
    assert outside.status_code == 400 and "outside the records" in outside.content.decode()


def test_a_delegation_sees_only_its_pledges_departures(world, client):
    from onward.accounts import roles

    client.force_login(world["users"][roles.DELEGATION])
    html = client.get(
        "/reports/forecast/", {"as_of": last_day().isoformat(), "s": "stop:FRA"}
    ).content.decode()
    assert f"Pledge {world['alb'].pk}" in html and f"Pledge {world['fra'].pk}" not in html
    assert "backtest-table" not in html and "FRA" not in html and "median (10th" not in html


def test_the_situation_report_holds_the_forecast_for_staff_only(world):
    from onward.accounts import roles
    from onward.pdf.tests.reading import logical_text as pdf_text
    from onward.reports.export import render_pdf, situation_report

    staff = situation_report(user=world["users"][roles.DATA_MANAGER], on=last_day())
    assert [row[0] for row in staff.forecast] == ["Months ahead", "3", "6", "12"]
    assert "Forecast of the population" in pdf_text(render_pdf(staff))
    delegation = situation_report(user=world["users"][roles.DELEGATION], on=last_day())
    assert delegation.forecast is None
    assert "Forecast" not in pdf_text(render_pdf(delegation))


def test_the_backtest_is_kept_while_the_records_are_unchanged(world):
    from onward.accounts import roles
    from onward.relocation import services
    from onward.relocation.tests.factories import at, interview_done

    interview_done(world["cases"]["idle"])
    before = fc.records_fingerprint()
    assert fc.backtest_cached(last_day(), runs=30) == fc.backtest(last_day(), runs=30)
    assert fc.records_fingerprint() == before  # reading changes nothing
    services.case_assess(
        actor=world["users"][roles.RESETTLEMENT],
        case=world["cases"]["idle"],
        category="LPN",
        priority="normal",
        at=at(20),
    )
    assert fc.records_fingerprint() != before
