"""The register's pages: the list of consents expiring within 30 days, and the override
recorded from the case's consent page."""

import datetime as dt

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.consent.models import ConsentOverride
from onward.consent.tests.helpers import consent
from onward.relocation.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_the_expiring_list_holds_valid_consents_ending_within_30_days(client_for, users):
    today = dt.date.today()
    soon, later, gone = (make_case(users, size=1).members.get() for _ in range(3))
    consent(users, soon, expires=today + dt.timedelta(days=10))
    consent(users, later, expires=today + dt.timedelta(days=45))
    withdrawn = consent(users, gone, expires=today + dt.timedelta(days=5))
    withdrawn.withdrawn_on = today
    withdrawn.save()
    page = client_for(roles.CLERK).get(reverse("consents_expiring")).content.decode()
    assert soon.person_id in page
    assert later.person_id not in page and gone.person_id not in page


def test_a_protection_officer_records_an_override_with_a_reason(client_for, users):
    case = make_case(users, size=1)
    url = reverse("case_consent", args=[case.case_id])
    client = client_for(roles.PROTECTION)
    assert client.post(url, {"country": "ALB", "reason": "short"}).status_code == 400
    response = client.post(url, {"country": "alb", "reason": "Emergency: consent by phone"})
    assert response.status_code == 302
    override = ConsentOverride.objects.get(case=case)
    assert override.country == "ALB" and override.by == users[roles.PROTECTION]
    assert b"Emergency: consent by phone" in client.get(url).content
