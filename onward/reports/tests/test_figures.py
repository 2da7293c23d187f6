"""Every dashboard figure equals an independent count from the records, for several
dates, on a demo-like population with departures; and every traced figure lists exactly
as many records as it counts."""

import datetime as dt
import random

import pytest

from onward.accounts import roles
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.movements import services as movements
from onward.registry.models import Person
from onward.reports import figures as F
from onward.reports import records as R
from onward.reports.tests.helpers import by_trace, departures_recount, recount, table

DATES = [
    dt.date(2012, 3, 1),
    dt.date(2012, 6, 15),
    dt.date(2012, 12, 31),
    dt.date(2013, 3, 31),
    dt.date(2013, 10, 1),
]


@pytest.fixture
def camp(users):
    population_load(generate_population(seed=11, persons=260))
    rng = random.Random(5)
    officer = users[roles.PROTECTION]
    persons = list(Person.objects.filter(arrival_date__isnull=False).order_by("pk"))
    for p in rng.sample(persons, 40):
        on = p.arrival_date + dt.timedelta(days=rng.randint(1, 400))
        on = min(on, dt.date.today())
        movements.departure_record(
            actor=officer, person=p, on=on, kind=rng.choice(movements.RECORDABLE_DEPARTURES)
        )
    return users


def _assert_population(tables, on):
    want = recount(on)
    assert table(tables, "population_total").rows[0].values[0] == want["total"]
    for key, dim in (
        ("population_by_sex", "sex"),
        ("population_by_age_band", "age_band"),
        ("population_by_nationality", "nationality"),
        ("population_by_need", "need"),
    ):
        got = {k: v for k, v in by_trace(table(tables, key), dim).items() if v}
        assert got == {k: v for k, v in want[dim].items() if v}, (on, key)
        assert all(t.on == on for t in tables)


@pytest.mark.parametrize("on", DATES)
def test_population_figures_equal_an_independent_count(camp, on):
    tables = F.dashboard(camp[roles.DATA_MANAGER], on)
    _assert_population(tables, on)


@pytest.mark.parametrize("on", DATES)
def test_departures_per_month_equal_the_registry_departures(camp, on):
    t = table(F.dashboard(camp[roles.DATA_MANAGER], on, only="departures"), "departures_by_month")
    got = {
        (r.traces[j]["month"], r.traces[j]["kind"]): v
        for r in t.rows
        for j, v in enumerate(r.values)
        if v
    }
    assert got == dict(departures_recount(on, F.months_back(on, 11)))
    assert F.departures_by_month(on) == F.departures_by_month_ledger(on)


def test_a_corrected_departure_no_longer_counts(camp):
    dm = camp[roles.DATA_MANAGER]
    person = Person.objects.filter(departure_date__isnull=False).first()
    on = person.departure_date
    before = sum(
        sum(r.values)
        for r in table(F.dashboard(dm, on, only="departures"), "departures_by_month").rows
    )
    movements.departure_correct(actor=camp[roles.PROTECTION], person=person, reason="typo")
    after = sum(
        sum(r.values)
        for r in table(F.dashboard(dm, on, only="departures"), "departures_by_month").rows
    )
    assert after == before - 1
    _assert_population(F.dashboard(dm, on, only="population"), on)


def test_population_series_ends_with_the_date_asked(camp):
    on = dt.date(2012, 9, 14)
    t = table(F.dashboard(camp[roles.DATA_MANAGER], on), "population_series")
    assert t.rows[-1].label == "2012-09-14"
    for row in t.rows:
        assert row.values[0] == recount(dt.date.fromisoformat(row.label))["total"]


@pytest.mark.parametrize("on", [dt.date(2012, 6, 15), dt.date(2013, 3, 31)])
def test_every_traced_figure_lists_as_many_records_as_it_counts(camp, on):
    dm = camp[roles.DATA_MANAGER]
    for t in F.dashboard(dm, on):
        if t.key in ("population_series",):
            continue
        for row in t.rows:
            for value, trace in zip(row.values, row.traces, strict=True):
                if not trace or not isinstance(value, int) or t.key == "incidents":
                    continue
                trace = dict(trace)
                figure = trace.pop("figure")
                day = dt.date.fromisoformat(trace.pop("as_of")) if "as_of" in trace else on
                _kind, qs = R.records(user=dm, figure=figure, on=day, filters=trace)
                assert qs.count() == value, (t.key, row.label, trace)


def test_population_by_nationality_at_a_past_date_counts_those_present_then(users):
    """From the rollups at any date: a person who left after the date counts, one who
    arrived after it does not, a departure corrected later counts again; nationalities
    are the persons' current ones (docs/reports.md), and every count lists its persons."""
    from onward.conftest import principal_data
    from onward.registry import services as registry

    clerk, officer = users[roles.CLERK], users[roles.PROTECTION]
    dm = users[roles.DATA_MANAGER]
    on = dt.date(2013, 6, 30)

    def arrive(nationality, arrival, given):
        return registry.case_create(
            actor=clerk,
            arrival_date=arrival,
            principal=principal_data(given_name=given, nationality=nationality, document_number=""),
        ).members.get()

    left_after = arrive("AFG", dt.date(2013, 1, 10), "Ahmad")
    arrive("AFG", dt.date(2013, 7, 1), "Bashir")  # arrives the day after
    left_before = arrive("IRQ", dt.date(2013, 1, 10), "Karim")
    corrected = arrive("IRQ", dt.date(2013, 2, 1), "Hassan")
    arrive("", dt.date(2013, 3, 1), "Omid")
    renamed = arrive("IRN", dt.date(2013, 3, 1), "Reza")
    movements.departure_record(
        actor=officer, person=left_after, kind="left_own_accord", on=dt.date(2013, 7, 1)
    )
    movements.departure_record(
        actor=officer, person=left_before, kind="deceased", on=dt.date(2013, 6, 30)
    )
    movements.departure_record(
        actor=officer, person=corrected, kind="whereabouts_unknown", on=dt.date(2013, 5, 2)
    )
    movements.departure_correct(actor=officer, person=corrected, reason="was in hospital")
    renamed.refresh_from_db()
    registry.person_update(
        actor=clerk,
        person=renamed,
        expected_version=renamed.version,
        changes={"nationality": "SYR"},
    )

    t = table(F.dashboard(dm, on, only="population"), "population_by_nationality")
    want = {"AFG": 1, "IRQ": 1, "unknown": 1, "SYR": 1}
    assert by_trace(t, "nationality") == want
    assert [r.label for r in t.rows] == ["AFG", "IRQ", "SYR", "unknown"]  # most, then by code
    assert F.nationality_counts(F.present_persons(on)) == want
    for row in t.rows:
        filters = {k: v for k, v in row.traces[0].items() if k != "figure"}
        _kind, qs = R.records(user=dm, figure="population", on=on, filters=filters)
        assert qs.count() == row.values[0], row.label
    later = table(
        F.dashboard(dm, dt.date(2013, 7, 1), only="population"), "population_by_nationality"
    )
    assert by_trace(later, "nationality") == {"AFG": 1, "IRQ": 1, "unknown": 1, "SYR": 1}
