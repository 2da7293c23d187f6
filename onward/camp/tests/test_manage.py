"""Sites, blocks and units created and edited through the pages and the service: who may,
what is refused (naming the unit, nothing written), and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.camp import services
from onward.camp.models import Block, Site, Unit
from onward.conftest import principal_data
from onward.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(users):
    block = Block.objects.create(site=Site.objects.create(name="Camp Liberty"), code="B1")
    unit = Unit.objects.create(block=block, code="T1", capacity=4)
    for name in ("Layla", "Omid", "Sara"):
        person = registry.case_create(
            actor=users[roles.CLERK],
            principal=principal_data(given_name=name),
            arrival_date=dt.date(2013, 6, 1),
        ).members.get()
        services.allocate(
            actor=users[roles.CLERK],
            person=person,
            unit=unit,
            on=dt.date(2013, 6, 1),
            reason="arrival",
        )
    return unit


def _edit(actor, unit, **changes):
    values = {f: getattr(unit, f) for f in services.UNIT_FIELDS} | changes
    return services.unit_save(actor=actor, unit=unit, **values)


def test_capacity_below_the_persons_allocated_is_refused_naming_the_unit(users, unit):
    dm = users[roles.DATA_MANAGER]
    with pytest.raises(ValidationError) as exc:
        _edit(dm, unit, capacity=2)
    assert "Unit B1/T1 has 3 persons allocated" in str(exc.value.message_dict["capacity"])
    unit.refresh_from_db()
    assert unit.capacity == 4
    assert not AuditEntry.objects.filter(object_type="unit").exists()
    # Three places are taken: one of four can be blocked, not two.
    with pytest.raises(ValidationError) as exc:
        _edit(dm, unit, blocked_capacity=2)
    assert "only 1 of its 4 places can be blocked" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        _edit(dm, unit, status=Unit.Status.CLOSED)
    assert "move them before closing it" in str(exc.value)
    changed = _edit(dm, unit, capacity=3, status=Unit.Status.NOT_ALLOCABLE)
    assert (changed.capacity, changed.usable_capacity) == (3, 0)
    entry = AuditEntry.objects.get(object_type="unit", action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"capacity": ["4", "3"], "status": ["available", "not_allocable"]}


def test_blocked_over_capacity_is_refused_and_an_ended_allocation_frees_the_place(users, unit):
    dm = users[roles.DATA_MANAGER]
    with pytest.raises(ValidationError) as exc:
        services.unit_save(actor=dm, block=unit.block, code="T2", capacity=2, blocked_capacity=3)
    assert "Unit B1/T2: 3 blocked places are more than its capacity (2)" in str(exc.value)
    assert not Unit.objects.filter(code="T2").exists()
    # A person who moved out yesterday no longer holds a place.
    a = unit.allocations.first()
    a.ended_on = timezone.localdate()
    a.save()
    assert _edit(dm, unit, capacity=2).capacity == 2


def test_codes_are_unique_where_they_live_and_the_clerk_may_not_shape_housing(users, unit):
    dm = users[roles.DATA_MANAGER]
    with pytest.raises(ValidationError, match="already has a unit T1"):
        services.unit_save(actor=dm, block=unit.block, code="T1", capacity=2)
    with pytest.raises(ValidationError, match="already has a block B1"):
        services.block_save(actor=dm, site=unit.block.site, code=" B1 ")
    with pytest.raises(ValidationError, match="already named Camp Liberty"):
        services.site_save(actor=dm, name="Camp Liberty")
    with pytest.raises(PermissionDenied):
        services.unit_save(actor=users[roles.CLERK], block=unit.block, code="T9", capacity=2)
    other = services.site_save(actor=dm, name="Camp Ashraf")
    assert services.block_save(actor=dm, site=other, code="B1").site == other


def test_the_pages_create_a_site_a_block_and_a_unit_and_refuse_bad_input(client, users, unit):
    client.force_login(users[roles.DATA_MANAGER])
    r = client.post(reverse("camp_site_new"), {"name": "Camp Ashraf"})
    assert r.status_code == 302
    site = Site.objects.get(name="Camp Ashraf")
    r = client.post(reverse("camp_block_new", kwargs={"site_id": site.pk}), {"code": "A1"})
    block = Block.objects.get(site=site, code="A1")
    assert r.url == reverse("camp_block", kwargs={"block_id": block.pk})
    new_unit = reverse("camp_unit_new", kwargs={"block_id": block.pk})
    body = {"code": "T1", "capacity": "6", "blocked_capacity": "1", "status": "available"}
    assert client.post(new_unit, body).status_code == 302
    assert Unit.objects.get(block=block).usable_capacity == 5
    # Bad input: the form says what is wrong, nothing is written.
    page = client.post(new_unit, body | {"code": "T2", "blocked_capacity": "9"})
    assert page.status_code == 200
    assert "9 blocked places are more than its capacity (6)" in page.content.decode()
    page = client.post(new_unit, body | {"code": "T3", "capacity": "lots"})
    assert page.status_code == 200 and "Enter a whole number" in page.content.decode()
    assert Unit.objects.filter(block=block).count() == 1
    edit = reverse("camp_unit_edit", kwargs={"unit_id": unit.pk})
    page = client.post(
        edit, {"code": "T1", "capacity": "1", "blocked_capacity": "0"} | {"status": "available"}
    )
    assert "Unit B1/T1 has 3 persons allocated" in page.content.decode()
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE)
    assert set(created.values_list("object_type", flat=True)) >= {"site", "block", "unit"}
    listing = client.get(reverse("camp_sites")).content.decode()
    assert "<bdi>Camp Ashraf</bdi>" in listing and "<bdi>A1</bdi>" in listing


def test_an_unknown_unit_is_a_404_with_a_denied_entry(client, users, unit):
    client.force_login(users[roles.ADMIN])
    assert client.get(reverse("camp_unit_edit", kwargs={"unit_id": 99999})).status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="unit", object_id="99999"
    ).exists()
