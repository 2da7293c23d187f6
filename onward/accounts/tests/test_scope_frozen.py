"""The fields that decide who may see a record (accounts/scope.py, SCOPE_FIELDS) cannot
change once they matter, through any channel: the web form and the API answer with an
error on the field (naming the way out), a save() and raw SQL are refused, nothing is
changed, and the other country's delegation still sees nothing of the record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from onward.accounts import roles
from onward.accounts.models import User
from onward.accounts.scope import SCOPE_FIELDS
from onward.audit.models import AuditEntry
from onward.movements import services as movements
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users):
    alb, deu = pledge(users), pledge(users, country="DEU")
    ours = bring_to(users, make_case(users), State.SUBMITTED, pledge_=alb)
    theirs = bring_to(users, make_case(users), State.SUBMITTED, pledge_=deu)
    never = make_case(users)
    transfer = movements.transfer_plan(
        actor=users[roles.RESETTLEMENT], pledge=alb, date=dt.date(2031, 6, 1), seats=9
    )
    germany = User.objects.create_user("t_delegation_deu", role=roles.DELEGATION, country="DEU")
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return {
        "alb": alb,
        "deu": deu,
        "ours": ours,
        "theirs": theirs,
        "transfer": transfer,
        "never": never,
        "submission": ours.submissions.get(),
        "germany": germany,
        "albania": users[roles.DELEGATION],
        "clerk": users[roles.CLERK],
        "admin": admin,
    }


# --- Each channel that could change a field: it must refuse ---------------------------------


def _pledge_form(client, world, users):
    client.force_login(users[roles.RESETTLEMENT])
    alb = world["alb"]
    response = client.post(
        reverse("pledge_edit", args=[alb.pk]),
        {
            "country": "DEU",
            "name": alb.name,
            "valid_from": "2013-01-01",
            "status": "open",
            "capacity_persons": 210,
            "version": alb.version,
        },
    )
    assert response.status_code == 200  # the form again, with its error
    errors = response.context["form"].errors
    assert "close this pledge" in errors["country"][0]


def _pledge_api(client, world, users):
    client.force_login(users[roles.RESETTLEMENT])
    response = client.patch(
        reverse("api_pledge_detail", args=[world["alb"].pk]),
        {"country": "DEU", "version": world["alb"].version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "close this pledge" in response.json()["fields"]["country"][0]


def _admin_form(user_key, **change):
    def attempt(client, world, users):
        user = world[user_key]
        client.force_login(world["admin"])
        data = {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "role": user.role,
            "country": user.country,
            "date_joined_0": "2031-01-01",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2031-01-01",
            "initial-date_joined_1": "09:00:00",
            **change,
        }
        response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
        assert response.status_code == 200
        assert "deactivate this account and create a new one" in response.content.decode()

    return attempt


def _save(key, field, value):
    def attempt(client, world, users):
        obj = type(world[key]).objects.get(pk=world[key].pk)
        setattr(obj, field, value(world) if callable(value) else value)
        with pytest.raises(ValidationError) as refused:
            obj.save()
        assert field.removesuffix("_id") in refused.value.message_dict

    return attempt


def _sql(key, column, value, match="decides who may see records"):
    """Raw SQL, as through the application's connection: the database's trigger (or, for
    a role, its constraint that only a delegation has a country) refuses it."""

    def attempt(client, world, users):
        obj = world[key]
        table = connection.ops.quote_name(obj._meta.db_table)
        with (
            pytest.raises(DatabaseError, match=match),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(
                f"UPDATE {table} SET {column} = %s WHERE id = %s",
                [value(world) if callable(value) else value, obj.pk],
            )

    return attempt


def _deu(world):
    return world["deu"].pk


def _other_case(world):
    return world["never"].pk  # a case never submitted: no other rule stands in the way


# Every scope field: the channels that exist for it. Web and API where the application
# edits the object at all; save() and raw SQL for every field.
ATTEMPTS = {
    "relocation.Pledge.country": [
        _pledge_form,
        _pledge_api,
        _save("alb", "country", "DEU"),
        _sql("alb", "country", "DEU"),
    ],
    "relocation.Submission.pledge": [
        _save("submission", "pledge_id", _deu),
        _sql("submission", "pledge_id", _deu),
    ],
    "relocation.Submission.case": [
        _save("submission", "case_id", _other_case),
        _sql("submission", "case_id", _other_case),
    ],
    "movements.Transfer.pledge": [
        _save("transfer", "pledge_id", _deu),
        _sql("transfer", "pledge_id", _deu),
    ],
    "movements.Transfer.country": [
        _save("transfer", "country", "DEU"),
        _sql("transfer", "country", "DEU"),
    ],
    "accounts.User.country": [
        _admin_form("albania", country="DEU"),
        _save("albania", "country", "DEU"),
        _sql("albania", "country", "DEU"),
    ],
    "accounts.User.role": [
        _admin_form("albania", role=roles.RESETTLEMENT, country=""),
        _admin_form("clerk", role=roles.DELEGATION, country="DEU"),
        _save("albania", "role", roles.RESETTLEMENT),
        _save("clerk", "role", roles.DELEGATION),
        _sql(
            "albania",
            "role",
            roles.RESETTLEMENT,
            match="delegation_users_have_a_country|constraint",
        ),
    ],
}


def test_every_scope_field_has_its_attempts():
    assert set(ATTEMPTS) == {f.label for f in SCOPE_FIELDS}


def _stored(world):
    w = world
    return {
        "alb": type(w["alb"]).objects.filter(pk=w["alb"].pk).values("country").get(),
        "submission": type(w["submission"])
        .objects.filter(pk=w["submission"].pk)
        .values("pledge_id", "case_id")
        .get(),
        "transfer": type(w["transfer"])
        .objects.filter(pk=w["transfer"].pk)
        .values("pledge_id", "country")
        .get(),
        "users": list(User.objects.order_by("pk").values("role", "country")),
    }


@pytest.mark.parametrize("label", sorted(ATTEMPTS))
def test_a_scope_field_cannot_change_and_germany_still_sees_nothing(client, users, world, label):
    before = _stored(world)
    audits = AuditEntry.objects.exclude(action="denied").count()
    for attempt in ATTEMPTS[label]:
        attempt(client, world, users)
        assert _stored(world) == before, attempt
    # Refused means no change recorded either (the admin's failed form writes nothing).
    assert AuditEntry.objects.exclude(action__in=["denied", "view", "login"]).count() == audits

    # Germany's delegation still reaches nothing of Albania's case, and each try is logged;
    # Albania's still reaches nothing of Germany's.
    for user, case in ((world["germany"], world["ours"]), (world["albania"], world["theirs"])):
        client.force_login(user)
        for name in ("relocation_case", "api_relocation_case"):
            assert client.get(reverse(name, args=[case.case_id])).status_code == 404
        assert (
            AuditEntry.objects.filter(action="denied", actor=user, object_id=case.case_id).count()
            == 2
        )


def test_a_pledge_without_submissions_may_still_correct_its_country(users):
    from onward.relocation import services

    typo = pledge(users, country="DEU", name="Typo")
    fixed = services.pledge_update(
        actor=users[roles.RESETTLEMENT],
        pledge=typo,
        expected_version=typo.version,
        changes={"country": "AUT"},
    )
    assert fixed.country == "AUT"


def test_a_pledge_with_submissions_changes_every_other_field(users, world):
    from onward.relocation import services

    alb = services.pledge_update(
        actor=users[roles.RESETTLEMENT],
        pledge=world["alb"],
        expected_version=world["alb"].version,
        changes={"name": "Albania 2013, second round", "status": "closed"},
    )
    assert (alb.country, alb.status) == ("ALB", "closed")


def test_camp_staff_may_change_role_among_camp_roles(world):
    clerk = world["clerk"]
    clerk.role = roles.PROTECTION
    clerk.save()
    clerk.refresh_from_db()
    assert clerk.role == roles.PROTECTION
