"""The demo's movements and incidents, played at small scale on a synthetic population."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.conftest import principal_data
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.incidents.demo import demo_incidents
from onward.incidents.models import Incident
from onward.incidents.selectors import incident_figures
from onward.movements.demo import demo_movements
from onward.movements.models import LedgerEntry, Transfer
from onward.movements.reconcile import reconcile
from onward.registry import services as registry
from onward.relocation.models import State
from onward.relocation.selectors import pledge_figures
from onward.relocation.tests.factories import bring_to, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(db):
    population_load(generate_population(seed=2013, persons=700))


def _ready_albanian_cases(users, sizes):
    albania = pledge(users)
    for n, size in enumerate(sizes):
        case = registry.case_create(
            actor=users[roles.CLERK],
            arrival_date=dt.date(2012, 5, 5),
            principal=principal_data(given_name=f"Albania{n}"),
        )
        for i in range(size - 1):
            registry.person_add(
                actor=users[roles.CLERK],
                case=case,
                person=principal_data(
                    given_name=f"Member{i}",
                    relationship="child",
                    birth_date="2001",
                    document_number="",
                    specific_needs=[],
                ),
            )
        bring_to(users, case, State.READY, pledge_=albania)
    return albania


def test_the_demo_plays_departures_transfers_and_incidents(camp, users):
    albania = _ready_albanian_cases(users, [4, 4, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4])
    out = demo_movements(users=users, log=lambda *_: None)
    assert out["left_own_accord_2013"] == 17 and out["escape"] == 18
    assert LedgerEntry.objects.filter(kind="left_own_accord", date__year=2013).count() == 17
    assert (
        LedgerEntry.objects.filter(kind="left_own_accord", date=dt.date(2014, 2, 10)).count() == 18
    )
    transfers = list(Transfer.objects.filter(pledge=albania).order_by("date"))
    assert [sum(line.persons.count() for line in t.lines.all()) for t in transfers] == [14, 30, 27]
    assert pledge_figures(albania)["persons"]["departed"] == 71
    assert pledge_figures(albania)["persons"]["capacity"] == 210

    result = demo_incidents(users=users, log=lambda *_: None)
    assert result["victims_linked"] == 3
    assert LedgerEntry.objects.filter(kind="deceased", date=dt.date(2013, 12, 26)).count() == 3
    sept = Incident.objects.get(pk=result["incidents"]["2013-09-01"])
    assert not sept.within_site
    figs = incident_figures(sept, "latest_official")["killed"]
    assert figs.value == 53 and figs.range_text == "52–53"
    assert incident_figures(sept, "lowest")["killed"].value == 52
    clash = Incident.objects.get(pk=result["incidents"]["2011-04-08"])
    assert incident_figures(clash, "latest_official")["killed"].value is None  # rejected
    assert incident_figures(clash, "highest")["killed"].value == 34
    assert reconcile().ok

    # Again: nothing more.
    before = LedgerEntry.objects.count()
    demo_movements(users=users, log=lambda *_: None)
    demo_incidents(users=users, log=lambda *_: None)
    assert LedgerEntry.objects.count() == before


def test_the_demos_albanian_manifests_carry_travel_documents_and_assistance(camp, users):
    from django.db import connection

    from onward.movements.selectors import manifest_rows
    from onward.readiness.models import Fact

    albania = _ready_albanian_cases(users, [4, 4, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4])
    demo_movements(users=users, log=lambda *_: None)
    transfers = list(Transfer.objects.filter(pledge=albania).order_by("date"))
    assert len(transfers) == 3
    for n, transfer in enumerate(transfers):
        rows = manifest_rows(transfer)
        assert len(rows) == [14, 30, 27][n]
        # Every traveller: a travel document number and an expiry after the flight.
        assert all(r["travel_document"].startswith("ICRC-") for r in rows)
        assert all(r["travel_document_expiry"] > transfer.date.isoformat() for r in rows)
        assert len({r["travel_document"] for r in rows}) == len(rows)
        codes = [r["assistance"] for r in rows if r["assistance"]]
        if n < 2:
            assert codes == ["WCHR"]  # the eldest traveller, in a wheelchair
        else:  # the latest flight: also oxygen, with a medical escort
            assert sorted(codes) == ["MEDA OXYG", "WCHR"]
            assert [r["escort"] for r in rows if r["escort"]] == ["MEDA"]
    # The document numbers are stored encrypted, like every identifier.
    fact = Fact.objects.filter(kind="travel_document").exclude(document_number="").first()
    with connection.cursor() as cur:
        cur.execute("SELECT document_number FROM readiness_fact WHERE id = %s", [fact.pk])
        (stored,) = cur.fetchone()
    assert fact.document_number.startswith("ICRC-") and fact.document_number not in stored
    # The travellers were ready on their flight's day: everyone on the manifests flew.
    assert pledge_figures(albania)["persons"]["departed"] == 71


def test_without_albanian_cases_ready_the_transfers_are_skipped(camp, users):
    messages = []
    out = demo_movements(users=users, log=messages.append)
    assert out["transfers"] == [] and any("skipped" in m for m in messages)
