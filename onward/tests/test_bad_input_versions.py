"""Issue 16: a damaged version field (`version=abc`, `²`, 5,000 digits) on a decision is
refused with a message and changes nothing; it is never read as "no check", nor a 500."""

import pytest

from onward.accounts import roles
from onward.conftest import principal_data
from onward.dedup.models import DuplicatePair
from onward.registry import services as registry

pytestmark = pytest.mark.django_db

DAMAGED = ["abc", "²", "١", "9" * 5000, "-1", "1.0", str(2**63)]


@pytest.fixture
def pair(clerk):
    a = registry.case_create(actor=clerk, principal=principal_data()).members.get()
    b = registry.case_create(
        actor=clerk, principal=principal_data(given_name="Muhammad", document_number="")
    ).members.get()
    lo, hi = sorted([a.pk, b.pk])
    return DuplicatePair.objects.create(person_a_id=lo, person_b_id=hi, probability=0.9, weight=4)


@pytest.mark.parametrize("version", DAMAGED)
def test_a_damaged_version_on_a_duplicate_decision_is_refused(client_for, pair, version):
    client = client_for(roles.DATA_MANAGER)
    response = client.post(
        f"/duplicates/{pair.pk}/decide/", {"decision": "different", "version": version}, follow=True
    )
    assert response.status_code == 200
    assert "reload the page" in response.text
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.OPEN and pair.version == 1


def test_the_right_version_still_decides(client_for, pair):
    client_for(roles.DATA_MANAGER).post(
        f"/duplicates/{pair.pk}/decide/", {"decision": "different", "version": "1"}
    )
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.DIFFERENT


@pytest.mark.parametrize("version", ["abc", "²"])
def test_a_damaged_version_on_a_transfer_confirmation_is_refused(client_for, users, version):
    import datetime as dt

    from onward.movements import services as movements
    from onward.relocation.tests.factories import pledge

    transfer = movements.transfer_plan(
        actor=users[roles.RESETTLEMENT], pledge=pledge(users), date=dt.date(2013, 5, 1), seats=10
    )
    response = client_for(roles.RESETTLEMENT).post(
        f"/transfers/{transfer.pk}/confirm/", {"version": version}, follow=True
    )
    assert response.status_code == 200 and "reload the page" in response.text
    transfer.refresh_from_db()
    assert transfer.status == "planned"
