import datetime as dt

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.camp import services
from onward.camp.models import Allocation, Block, Site, Unit
from onward.conftest import principal_data
from onward.registry import services as registry

D0 = dt.date(2013, 6, 1)


@pytest.fixture
def housing(users):
    block = Block.objects.create(site=Site.objects.create(name="Camp Liberty"), code="B1")
    unit = Unit.objects.create(block=block, code="U1", capacity=1)
    persons = [
        registry.case_create(
            actor=users[roles.CLERK],
            principal=principal_data(given_name=name),
            arrival_date=D0,
        ).members.get()
        for name in ("Layla", "Omid")
    ]
    services.allocate(
        actor=users[roles.CLERK], person=persons[0], unit=unit, on=D0, reason="arrival"
    )
    return block, unit, persons


def test_occupancy_by_date_and_the_block_page_audits_who_it_shows(client, users, housing):
    block, unit, (layla, omid) = housing
    client.force_login(users[roles.AUDITOR])
    before = client.get(reverse("camp_occupancy") + "?on=2013-05-31").content.decode()
    assert '>0</td><td class="num">1</td><td class="num"><a' in before
    assert "figure=camp_vacancies" in before and "figure=camp_housed" not in before
    page = client.get(reverse("camp_block", kwargs={"block_id": block.pk}) + "?on=2013-06-02")
    html = page.content.decode()
    assert f"<bdi>{layla.person_id}</bdi>" in html and f"<bdi>{layla.full_name}</bdi>" in html
    assert omid.person_id not in html
    read = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, object_type="person")
    assert list(read.values_list("object_id", flat=True)) == [layla.person_id]


def test_a_bad_date_says_so_and_shows_today(client, users, housing):
    client.force_login(users[roles.CLERK])
    page = client.get(reverse("camp_occupancy") + "?on=June", follow=True)
    assert "Not a date: June" in page.content.decode()


def _post(client, unit, person, **extra):
    return client.post(
        reverse("camp_allocate"),
        {"person": person.person_id, "unit": unit.pk, "on": "2013-06-02", "reason": "x", **extra},
    )


def test_override_is_the_permissions_not_the_forms(client, users, housing):
    block, unit, (layla, omid) = housing
    client.force_login(users[roles.CLERK])
    refused = _post(client, unit, omid, override_reason="family together")
    assert refused.status_code == 200 and "is full" in refused.content.decode()
    assert not Allocation.objects.filter(person=omid).exists()
    client.force_login(users[roles.DATA_MANAGER])
    no_reason = _post(client, unit, omid)
    assert "give the reason" in no_reason.content.decode()
    done = _post(client, unit, omid, override_reason="family together")
    assert done.status_code == 302
    assert Allocation.objects.get(person=omid).override_reason == "family together"


def test_an_unknown_person_is_named_and_nothing_changes(client, users, housing):
    block, unit, _ = housing
    client.force_login(users[roles.CLERK])
    page = client.post(
        reverse("camp_allocate"),
        {"person": "P999999", "unit": unit.pk, "on": "2013-06-02", "reason": "x"},
    )
    assert "No such person" in page.content.decode()
    assert Allocation.objects.count() == 1
