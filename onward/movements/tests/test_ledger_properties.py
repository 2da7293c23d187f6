"""Property: whatever sequence of registrations, births, departures, deaths, corrections,
edits, transfers and transfer corrections happens, the population on every
date is the same from the ledger, from its rollups and from the registry, and so are the
breakdowns (sex, age band, need, nationality) on every date."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.accounts.models import User
from onward.conftest import principal_data
from onward.movements import services
from onward.movements.ledger import ledger_sum_on, population_on, registry_present_on
from onward.movements.reconcile import reconcile
from onward.movements.rollup import ledger_breakdown_naive, rollup_breakdown, rollup_check
from onward.movements.tests.factories import ready_case
from onward.registry import services as registry
from onward.registry.models import Person
from onward.relocation.tests.factories import pledge
from onward.relocation.workflow import StaleState

START = dt.date(2012, 12, 20)
DAYS = 110  # across month ends, and past the day the transferable cases became ready

day = st.integers(min_value=0, max_value=DAYS - 1).map(lambda n: START + dt.timedelta(days=n))
pick = st.integers(min_value=0, max_value=10_000)
needs = st.lists(st.sampled_from(["SM", "DS", "ER", "WR"]), max_size=2, unique=True)
sex = st.sampled_from(["M", "F", "X", ""])
birth = st.sampled_from(["1950", "1970-05-12", "1990-12-31", "2008", "2012-12-31", ""])
nationality = st.sampled_from(["IRN", "IRQ", "AFG", ""])
kinds = st.sampled_from(services.RECORDABLE_DEPARTURES)

operation = st.one_of(
    st.tuples(st.just("register"), day, sex, birth, needs, nationality),
    st.tuples(st.just("member"), pick, sex, birth, needs, nationality),
    st.tuples(st.just("depart"), pick, day, kinds),
    st.tuples(st.just("birth"), pick, day, sex),
    st.tuples(st.just("correct"), pick),
    st.tuples(st.just("edit"), pick, sex, birth, needs, nationality),
    st.tuples(st.just("transfer"), pick, day, st.booleans()),
    st.tuples(st.just("transfer_correct"), pick),
)


def registry_by_nationality(d: dt.date) -> dict[str, int]:
    """The registry's persons present on `d` (as `registry_present_on` counts them),
    counted by nationality one by one."""
    counts: dict[str, int] = {}
    for p in Person.objects.filter(merged_into__isnull=True, arrival_date__lte=d):
        if getattr(p, "removed_at", None) is not None:
            continue  # removed from the registry (registered in error): not counted
        if p.departure_date is None or p.departure_date > d:
            counts[p.nationality or "unknown"] = counts.get(p.nationality or "unknown", 0) + 1
    return counts


@pytest.mark.slow
class LedgerProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = User.objects.create_user(
            username="p_clerk", password="x" * 12, role=roles.CLERK
        )
        cls.officer = User.objects.create_user(
            username="p_officer", password="x" * 12, role=roles.PROTECTION
        )
        cls.rs = User.objects.create_user(
            username="p_rs", password="x" * 12, role=roles.RESETTLEMENT
        )
        admin = User.objects.create_user(username="p_admin", password="x" * 12, role=roles.ADMIN)
        # Cases ready for departure (built once: the relocation workflow takes many steps).
        users = {roles.CLERK: cls.clerk, roles.RESETTLEMENT: cls.rs, roles.ADMIN: admin}
        cls.pledge = pledge(users)
        cls.ready = [
            ready_case(
                users,
                cls.pledge,
                size=n,
                given_name=f"Ready{n}",
                arrival=START + dt.timedelta(days=5),
            )
            for n in (1, 2, 3)
        ]

    def apply(self, op, persons, cases):
        name, *args = op
        if name == "register":
            arrival, s, b, n, nat = args
            case = registry.case_create(
                actor=self.clerk,
                arrival_date=arrival,
                principal=principal_data(sex=s, birth_date=b, specific_needs=n, nationality=nat),
            )
            cases.append(case)
            persons.extend(case.members.all())
        elif name == "member" and cases:
            i, s, b, n, nat = args
            persons.append(
                registry.person_add(
                    actor=self.clerk,
                    case=cases[i % len(cases)],
                    person=principal_data(
                        relationship="child",
                        sex=s,
                        birth_date=b,
                        specific_needs=n,
                        nationality=nat,
                        document_number="",
                    ),
                )
            )
        elif name == "depart" and persons:
            i, on, kind = args
            services.departure_record(
                actor=self.officer, person=persons[i % len(persons)], kind=kind, on=on
            )
        elif name == "birth" and persons:
            i, on, s = args
            persons.append(
                services.birth_record(
                    actor=self.officer,
                    mother=persons[i % len(persons)],
                    on=on,
                    child={"given_name": "Baby", "sex": s},
                )
            )
        elif name == "correct" and persons:
            services.departure_correct(
                actor=self.officer,
                person=persons[args[0] % len(persons)],
                reason="recorded in error",
            )
        elif name == "transfer":
            i, on, no_show = args
            case = self.ready[i % len(self.ready)]
            transfer = services.transfer_plan(actor=self.rs, pledge=self.pledge, date=on, seats=9)
            line = services.transfer_case_add(actor=self.rs, transfer=transfer, case=case)
            if no_show:
                other = self.ready[(i + 1) % len(self.ready)]
                services.transfer_case_remove(
                    actor=self.rs,
                    transfer=transfer,
                    reason="no-show",
                    line=services.transfer_case_add(actor=self.rs, transfer=transfer, case=other),
                )
            services.transfer_confirm(actor=self.rs, transfer=transfer)
            self.confirmed.append((transfer, line))
            event("transfer confirmed")
        elif name == "transfer_correct" and self.confirmed:
            transfer, line = self.confirmed[args[0] % len(self.confirmed)]
            services.transfer_line_correct(
                actor=self.rs, transfer=transfer, line=line, reason="did not board"
            )
            event("transfer corrected")
        elif name == "edit" and persons:
            i, s, b, n, nat = args
            p = persons[i % len(persons)]
            p.refresh_from_db()
            registry.person_update(
                actor=self.clerk,
                person=p,
                expected_version=p.version,
                changes={"sex": s, "birth_date": b, "specific_needs": n, "nationality": nat},
            )

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(operation, min_size=1, max_size=14))
    def test_population_on_every_date_is_the_same_from_ledger_rollup_and_registry(self, ops):
        persons = [p for c in self.ready for p in c.members.all()]
        cases, self.confirmed = [], []
        for op in ops:
            try:
                self.apply(op, persons, cases)
            except ValidationError:
                pass  # refused whole: nothing changed (checked below like everything else)
            except StaleState:
                pass  # the relocation workflow refused a step: nothing changed either
        report = reconcile()
        assert report.ok, report.lines()
        assert rollup_check() == []
        for n in range(-1, DAYS + 1, 4):
            d = START + dt.timedelta(days=n)
            assert population_on(d) == ledger_sum_on(d) == registry_present_on(d)
            assert rollup_breakdown(d) == ledger_breakdown_naive(d)
            assert rollup_breakdown(d)["by_nationality"] == registry_by_nationality(d)
