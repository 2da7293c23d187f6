import datetime as dt

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.camp import services
    from onward.camp.models import Block, Site, Unit
    from onward.conftest import principal_data
    from onward.registry import services as registry

    case = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 6, 1)
    )
    housed = case.members.get()
    newcomer = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 6, 1)
    ).members.get()
    block = Block.objects.create(site=Site.objects.create(name="Camp Liberty"), code="B1")
    unit = Unit.objects.create(block=block, code="U1", capacity=4)
    services.allocate(
        actor=users[roles.CLERK], person=housed, unit=unit, on=dt.date(2013, 6, 1), reason="x"
    )
    return {
        "block": block.pk,
        "unit": unit.pk,
        "site": block.site_id,
        "person": newcomer.person_id,
    }


# Housing is staff's and the auditor's to read; never a delegation's.
VIEWERS = dict(DL=403)
ALLOCATORS = dict(PR=403, RS=403, DL=403, AU=403)
# The housing's shape (sites, blocks, units): admin and data manager (camp.manage).
MANAGERS = dict(CL=403, PR=403, RS=403, DL=403, AU=403)


def _block(w):
    return reverse("camp_block", kwargs={"block_id": w["block"]})


def _allocate_body() -> dict:
    from onward.camp.models import Unit
    from onward.registry.models import Person

    return {
        "person": Person.objects.filter(allocations__isnull=True).get().person_id,
        "unit": Unit.objects.get(code="U1").pk,
        "on": "2013-06-02",
        "reason": "arrival",
    }


_allocate = lambda w: reverse("camp_allocate")  # noqa: E731
_site_edit = lambda w: reverse("camp_site_edit", kwargs={"site_id": w["site"]})  # noqa: E731
_block_new = lambda w: reverse("camp_block_new", kwargs={"site_id": w["site"]})  # noqa: E731
_block_edit = lambda w: reverse("camp_block_edit", kwargs={"block_id": w["block"]})  # noqa: E731
_unit_new = lambda w: reverse("camp_unit_new", kwargs={"block_id": w["block"]})  # noqa: E731
_unit_edit = lambda w: reverse("camp_unit_edit", kwargs={"unit_id": w["unit"]})  # noqa: E731
_UNIT = {"code": "U2", "capacity": "6", "blocked_capacity": "1", "status": "available"}

ROWS = [
    # The occupancy table names no record: nothing to put out of scope.
    Row(
        "camp_occupancy",
        lambda w: reverse("camp_occupancy") + "?on=2013-06-02",
        outcome(200, **VIEWERS),
        outside=None,
    ),
    Row("camp_block", _block, outcome(200, **VIEWERS)),
    Row("camp_allocate", _allocate, outcome(200, **ALLOCATORS), outside=None),
    Row(
        "camp_allocate",
        _allocate,
        outcome(302, **ALLOCATORS),
        method="post",
        body=lambda: _allocate_body(),
        outside=None,
    ),
    # The sites list names every site: no record in its address.
    Row("camp_sites", lambda w: reverse("camp_sites"), outcome(200, **VIEWERS), outside=None),
    Row(
        "camp_site_new",
        lambda w: reverse("camp_site_new"),
        outcome(200, **MANAGERS),
        outside=None,
    ),
    Row(
        "camp_site_new",
        lambda w: reverse("camp_site_new"),
        outcome(302, **MANAGERS),
        method="post",
        body={"name": "Camp Ashraf"},
        outside=None,
    ),
    Row("camp_site_edit", _site_edit, outcome(200, **MANAGERS)),
    Row(
        "camp_site_edit",
        _site_edit,
        outcome(302, **MANAGERS),
        method="post",
        body={"name": "Camp Hurriya"},
    ),
    Row("camp_block_new", _block_new, outcome(200, **MANAGERS)),
    Row("camp_block_new", _block_new, outcome(302, **MANAGERS), method="post", body={"code": "B2"}),
    Row("camp_block_edit", _block_edit, outcome(200, **MANAGERS)),
    Row(
        "camp_block_edit", _block_edit, outcome(302, **MANAGERS), method="post", body={"code": "B9"}
    ),
    Row("camp_unit_new", _unit_new, outcome(200, **MANAGERS)),
    Row("camp_unit_new", _unit_new, outcome(302, **MANAGERS), method="post", body=_UNIT),
    Row("camp_unit_edit", _unit_edit, outcome(200, **MANAGERS)),
    Row(
        "camp_unit_edit",
        _unit_edit,
        outcome(302, **MANAGERS),
        method="post",
        body=_UNIT | {"code": "U1", "capacity": "8"},
    ),
]
