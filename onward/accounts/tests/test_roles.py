"""Incompatible roles on one user: a country delegation is never staff or superuser (and
holds no camp role: one role per user)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onward.accounts import roles
from onward.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_model_refuses_a_delegation_that_is_staff():
    user = User(username="nor", role=roles.DELEGATION, country="NOR", is_staff=True)
    with pytest.raises(ValidationError) as refused:
        user.full_clean(exclude=["password"])
    assert "incompatible" in refused.value.message_dict["role"][0]


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_database_refuses_a_delegation_that_is_staff_or_superuser(users, flag):
    delegation = users[roles.DELEGATION]
    setattr(delegation, flag, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        delegation.save()
    delegation.refresh_from_db()
    assert not delegation.is_staff and not delegation.is_superuser


def test_camp_staff_may_be_staff():
    User.objects.create_user("amina", role=roles.ADMIN, is_staff=True, is_superuser=True)


def test_the_admin_form_refuses_making_a_delegation_staff(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    delegation = users[roles.DELEGATION]
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{delegation.pk}/change/",
        {
            "username": delegation.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "role": roles.DELEGATION,
            "country": "ALB",
            "date_joined_0": "2031-01-01",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2031-01-01",
            "initial-date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "the roles are incompatible" in response.content.decode()
    delegation.refresh_from_db()
    assert not delegation.is_staff
