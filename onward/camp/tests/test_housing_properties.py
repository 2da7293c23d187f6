"""Properties: whatever sequence of allocations, moves and departures happens, no unit
holds more than its usable capacity unless an override with a reason let it, and the
population by block sums to the ledger's population when everyone present is housed."""

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.accounts.models import User
from onward.camp import selectors, services
from onward.camp.models import Allocation, Block, Site, Unit
from onward.conftest import ROLE_USERS
from onward.movements import services as movements
from onward.movements.ledger import population_on
from onward.movements.models import LedgerEntry
from onward.relocation.tests.factories import make_case

pick = st.integers(min_value=0, max_value=1000)
operation = st.one_of(
    st.tuples(st.just("allocate"), pick, pick, st.booleans()),
    st.tuples(st.just("depart"), pick),
)


class HousingProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = {
            role: User.objects.create_user(
                username=name, password="pw-for-tests-123", role=role, country=country
            )
            for role, (name, country) in ROLE_USERS.items()
        }
        site = Site.objects.create(name="Camp")
        cls.units = [
            Unit.objects.create(
                block=Block.objects.create(site=site, code=f"B{i}"),
                code="U",
                capacity=cap,
                blocked_capacity=blocked,
            )
            for i, (cap, blocked) in enumerate([(2, 0), (3, 1), (1, 0)])
        ]
        cls.persons = list(make_case(cls.users, size=6).members.order_by("pk"))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, max_size=12))
    def test_capacity_and_population(self, ops):
        today = dt.date.today()
        clerk = self.users[roles.CLERK]
        for p in self.persons:
            p.refresh_from_db()
        for op in ops:
            person = self.persons[op[1] % len(self.persons)]
            try:
                if op[0] == "allocate":
                    services.allocate(
                        actor=self.users[roles.DATA_MANAGER] if op[3] else clerk,
                        person=person,
                        unit=self.units[op[2] % len(self.units)],
                        on=today,
                        reason="test",
                        override_reason="kept together" if op[3] else "",
                    )
                else:
                    movements.departure_record(
                        actor=self.users[roles.DATA_MANAGER],
                        person=person,
                        kind=LedgerEntry.Kind.LEFT,
                        on=today.isoformat(),
                    )
            except ValidationError:
                pass
        for unit in self.units:
            live = selectors.allocated_on(today).filter(unit=unit)
            if not live.exclude(override_reason="").exists():
                assert live.count() <= unit.usable_capacity
        # Everyone still present housed where there is room: the blocks sum to the ledger.
        housed = set(selectors.allocated_on(today).values_list("person_id", flat=True))
        present = [p for p in self.persons if p.pk not in housed]
        for p in present:
            p.refresh_from_db()
            if p.departure_date is None:
                services.allocate(
                    actor=self.users[roles.DATA_MANAGER],
                    person=p,
                    unit=self.units[0],
                    on=today,
                    reason="t",
                    override_reason="property",
                )
        total = sum(r["occupied"] for r in selectors.occupancy_by_block(today))
        assert total == population_on(today)
        assert Allocation.objects.filter(ended_on__isnull=True).count() == total
