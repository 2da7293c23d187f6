"""Property: after any sequence of registrations, departures and corrections, every
population and departure figure equals an independent recount, for several dates."""

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.accounts.models import User
from onward.conftest import principal_data
from onward.movements import services as movements
from onward.registry import services as registry
from onward.reports import figures as F
from onward.reports.tests.helpers import by_trace, departures_recount, recount, table

START = dt.date(2012, 12, 20)
day = st.integers(min_value=0, max_value=70).map(lambda n: START + dt.timedelta(days=n))
pick = st.integers(min_value=0, max_value=10_000)
op = st.one_of(
    st.tuples(
        st.just("register"),
        day,
        st.sampled_from(["M", "F", "X", ""]),
        st.sampled_from(["1950", "1990-12-31", "2010", ""]),
        st.lists(st.sampled_from(["SM", "DS", "WR"]), max_size=2, unique=True),
        st.sampled_from(["IRN", "IRQ", ""]),
    ),
    st.tuples(st.just("depart"), pick, day, st.sampled_from(movements.RECORDABLE_DEPARTURES)),
    st.tuples(st.just("correct"), pick),
)


class FigureProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = User.objects.create_user(
            username="r_clerk", password="x" * 12, role=roles.CLERK
        )
        cls.officer = User.objects.create_user(
            username="r_officer", password="x" * 12, role=roles.PROTECTION
        )
        cls.dm = User.objects.create_user(
            username="r_dm", password="x" * 12, role=roles.DATA_MANAGER
        )

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(op, min_size=1, max_size=14))
    def test_figures_equal_an_independent_recount(self, ops):
        persons = []
        for name, *args in ops:
            try:
                if name == "register":
                    arrival, sex, birth, needs, nat = args
                    case = registry.case_create(
                        actor=self.clerk,
                        arrival_date=arrival,
                        principal=principal_data(
                            sex=sex, birth_date=birth, nationality=nat, specific_needs=needs
                        ),
                    )
                    persons.extend(case.members.all())
                elif name == "depart" and persons:
                    i, on, kind = args
                    movements.departure_record(
                        actor=self.officer, person=persons[i % len(persons)], on=on, kind=kind
                    )
                elif name == "correct" and persons:
                    person = persons[args[0] % len(persons)]
                    person.refresh_from_db()
                    movements.departure_correct(
                        actor=self.officer, person=person, reason="recorded by mistake"
                    )
            except ValidationError:
                pass  # refused whole: nothing changed
        for on in (
            START + dt.timedelta(days=10),
            START + dt.timedelta(days=40),
            START + dt.timedelta(days=75),
        ):
            tables = F.dashboard(self.dm, on, only="population")
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
            t = table(F.dashboard(self.dm, on, only="departures"), "departures_by_month")
            got = {
                (r.traces[j]["month"], r.traces[j]["kind"]): v
                for r in t.rows
                for j, v in enumerate(r.values)
                if v
            }
            assert got == dict(departures_recount(on, F.months_back(on, 11)))
            assert F.departures_by_month(on) == F.departures_by_month_ledger(on)
