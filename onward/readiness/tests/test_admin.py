"""The requirements are configured by administrators in the admin (issue 19: "a
configurable list" per country, and per pledge where it differs)."""

import pytest

from onward.accounts import roles
from onward.readiness.models import Requirement
from onward.readiness.selectors import requirements_for

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_countrys_requirement(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/readiness/requirement/").status_code == 200
    r = client.post(
        "/admin/readiness/requirement/add/",
        {
            "country": "CAN",
            "kind": "fit_to_travel",
            "valid_hours_before_departure": "72",
            "waivable": "on",
            "waiver_permission": "readiness.waive",
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    assert [(x.kind, x.valid_hours_before_departure) for x in requirements_for("CAN")] == [
        ("fit_to_travel", 72)
    ]
    # A permission the role table does not know is refused, and a second one of a kind.
    for body in (
        {"country": "CAN", "kind": "visa", "waiver_permission": "readiness.wave"},
        {"country": "CAN", "kind": "fit_to_travel"},
    ):
        assert client.post("/admin/readiness/requirement/add/", body).status_code == 200
    assert Requirement.objects.filter(country="CAN").count() == 1
