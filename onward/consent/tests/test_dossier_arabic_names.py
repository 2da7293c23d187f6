"""A delegation sees a member's name in Arabic script only when its agreement shares the
name (consent.models.ARABIC_SCRIPT_OF): a name is one name in either script."""

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.consent.tests.helpers import agreement, submitted
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db

ZAHRA, GHAFFARZADEH = "زهرا", "غفارزاده"


def _dossier(client_for, users, settings, fields):
    settings.ONWARD_CONSENT_REQUIRED = True
    case = submitted(users, pledge(users), size=1)
    agreement(users, "ALB", fields=fields)
    case.members.update(given_name_arabic=ZAHRA, family_name_arabic=GHAFFARZADEH)
    sub = case.submissions.get()
    client = client_for(roles.DELEGATION)
    page = client.get(reverse("dossier", args=[sub.pk]))
    assert page.status_code == 200
    api = client.get(reverse("api_dossier", args=[sub.pk])).json()
    return page.content.decode(), api["members"][0]


def test_an_agreement_sharing_the_names_shares_them_in_arabic_script(client_for, users, settings):
    text, member = _dossier(client_for, users, settings, ["given_name", "sex"])
    assert ZAHRA in text and "Given name in Arabic script" in text
    assert GHAFFARZADEH not in text  # the family name is not shared, in either script
    assert member["given_name_arabic"] == ZAHRA and "family_name_arabic" not in member


def test_an_agreement_without_the_names_shares_neither_script(client_for, users, settings):
    text, member = _dossier(client_for, users, settings, ["sex", "birth_date"])
    assert ZAHRA not in text and GHAFFARZADEH not in text
    assert not {"given_name", "given_name_arabic", "family_name_arabic"} & set(member)
