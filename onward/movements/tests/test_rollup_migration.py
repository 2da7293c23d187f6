"""Migration movements 0006 fills the new nationality dimension for a ledger written before
it: from rollups as they stood then (no nationality rows, `RollupDims.nationality`
empty) to rollups equal to the ledger row by row, on SQLite (Python) and PostgreSQL
(SQL) alike."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from onward.movements import services
from onward.movements.ledger import population
from onward.movements.models import RollupDay, RollupDims, RollupMonth
from onward.movements.rollup import ledger_breakdown_naive, rollup_check
from onward.movements.tests.factories import D0, family

pytestmark = pytest.mark.django_db

migration = importlib.import_module("onward.movements.migrations.0006_rollupdims_nationality")


def _as_before_the_migration():
    """The rollups as a database migrated up to 0005 holds them."""
    RollupDay.objects.filter(dim="nationality").delete()
    RollupMonth.objects.filter(dim="nationality").delete()
    RollupDims.objects.update(nationality="")


def test_the_migration_counts_every_existing_entry_under_its_nationality(clerk, users):
    from onward.accounts import roles

    _, man, _ = family(clerk, nationality="IRQ")
    family(
        clerk,
        arrival=dt.date(2013, 3, 5),
        given_name="Ali",
        nationality="",
        document_number="Y7654321",
    )
    services.departure_record(
        actor=users[roles.PROTECTION], person=man, kind="deceased", on=dt.date(2013, 2, 9)
    )
    days = (D0, dt.date(2013, 2, 9), dt.date(2013, 3, 31))
    want = [population(on=d) for d in days]
    _as_before_the_migration()
    assert rollup_check() != []  # the rollups lack the new dimension
    migration.fill(apps, SimpleNamespace(connection=connection))
    assert rollup_check() == []
    assert [population(on=d) for d in days] == want == [ledger_breakdown_naive(d) for d in days]
    assert want[2]["by_nationality"] == {"IRN": 2, "unknown": 1}
    assert RollupDims.objects.get(pk=man.pk).nationality == "IRQ"


def test_the_migration_reversed_leaves_the_other_dimensions_as_they_were(clerk):
    family(clerk, nationality="SYR")
    others = sorted(
        RollupDay.objects.exclude(dim="nationality").values_list("date", "dim", "value", "delta")
    )
    migration.unfill(apps, SimpleNamespace(connection=connection))
    assert not RollupDay.objects.filter(dim="nationality").exists()
    assert not RollupMonth.objects.filter(dim="nationality").exists()
    assert sorted(RollupDay.objects.values_list("date", "dim", "value", "delta")) == others
