"""The readiness matrix across pledges and countries (/readiness/): cells per person,
per-case requirements once per case, filters equal to the engine's verdicts, as of a
past date, keyset paging, a delegation's scope; and a delegation confirming its items."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.readiness import engine, latest, matrix, selectors
from onward.readiness.models import Fact, Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

D = dt.date(2026, 12, 1)


def _get(client, **query):
    r = client.get(reverse("readiness_matrix"), query)
    assert r.status_code == 200
    return r


def _rows(r):
    return [row["person"].person_id for row in r.context["rows"]]


def test_matrix_across_countries_cells_and_per_case_once(client, users, world):
    client.force_login(users[roles.RESETTLEMENT])
    r = _get(client, on="2026-12-02")
    html = r.content.decode()
    assert [k for k, _l, _p in r.context["columns"]] == [  # the catalogue's order
        "fit_to_travel",
        "biometrics",
        "visa",
        "orientation",
    ]
    assert set(_rows(r)) == {world["a"].person_id, world["b"].person_id, world["c"].person_id}
    ready = {row["person"].person_id: row["ready"] for row in r.context["rows"]}
    # The orientation fact of one member meets the per-case requirement for both.
    assert ready == {
        world["a"].person_id: True,
        world["b"].person_id: True,
        world["c"].person_id: True,
    }
    assert 'rowspan="2"' in html  # the per-case cell once for the family of two
    assert "Not required by this pledge" in html  # Germany asks no visa
    assert 'data-ends="2026-12-11"' in html  # the visa ends within 14 days
    reads = AuditEntry.objects.filter(action="view", object_type="person")
    assert set(reads.values_list("object_id", flat=True)) == set(_rows(r))
    assert b'href="/readiness/"' in client.get("/").content  # the menu entry


def test_filters_pledge_country_and_as_of(client, users, world):
    client.force_login(users[roles.AUDITOR])
    # Fitness to travel 72 h before departure: D + 3 still, D + 4 no longer.
    assert set(_rows(_get(client, on="2026-12-04", ready="1"))) == {
        world["a"].person_id,
        world["b"].person_id,
        world["c"].person_id,
    }
    assert _rows(_get(client, on="2026-12-05", ready="1")) == [world["c"].person_id]
    assert set(_rows(_get(client, on="2026-12-05", blocked="fit_to_travel"))) == {
        world["a"].person_id,
        world["b"].person_id,
    }
    assert _rows(_get(client, on="2026-12-02", country="DEU")) == [world["c"].person_id]
    assert set(_rows(_get(client, on="2026-12-02", pledge=world["alb"].pk))) == {
        world["a"].person_id,
        world["b"].person_id,
    }
    assert set(_rows(_get(client, on="2026-12-02", expiring="1"))) == {
        world["a"].person_id,
        world["b"].person_id,
    }
    # As of the day before the facts: listed, nobody can fly.
    before = _get(client, on="2026-11-30")
    assert len(_rows(before)) == 3 and not any(row["ready"] for row in before.context["rows"])
    assert _rows(_get(client, on="2026-11-30", ready="1")) == []


def test_paging_by_key(client, users, world, monkeypatch):
    monkeypatch.setattr(matrix, "PER_PAGE", 2)
    client.force_login(users[roles.RESETTLEMENT])
    first = _get(client, on="2026-12-02")
    assert len(_rows(first)) == 2 and first.context["next_after"]
    second = _get(client, on="2026-12-02", after=first.context["next_after"])
    assert len(_rows(second)) == 1 and not second.context["next_after"]
    assert set(_rows(first)) | set(_rows(second)) == {world[k].person_id for k in ("a", "b", "c")}


@pytest.mark.parametrize(
    "query, named",
    [
        ({"on": "2026-02-30"}, "2026-02-30"),
        ({"country": "12"}, "12"),
        ({"blocked": "nonsense"}, "nonsense"),
        ({"after": "x.y"}, "x.y"),
    ],
)
def test_bad_input_is_named(client, users, world, query, named):
    client.force_login(users[roles.RESETTLEMENT])
    r = _get(client, **query)
    assert any(named in e for e in r.context["errors"])


def test_delegation_sees_its_country_only_and_out_of_scope_is_denied(client, users, world):
    client.force_login(users[roles.DELEGATION])  # Albania's
    r = _get(client, on="2026-12-02")
    assert set(_rows(r)) == {world["a"].person_id, world["b"].person_id}
    for query in ({"pledge": world["deu"].pk}, {"country": "DEU"}):
        before = AuditEntry.objects.filter(action="denied").count()
        assert client.get(reverse("readiness_matrix"), query).status_code == 404
        assert AuditEntry.objects.filter(action="denied").count() == before + 1


def test_filters_equal_the_engine_person_by_person(users):
    """Random facts on a family of four and a single: every filter keeps exactly whom
    the engine, evaluated person by person, says (per-case requirement included)."""
    alb = pledge(users)
    cases = [
        bring_to(users, make_case(users, size=n), State.ACCEPTED, pledge_=alb, exit_checks=False)
        for n in (4, 1)
    ]
    Requirement.objects.create(country="ALB", kind="visa")
    Requirement.objects.create(country="ALB", kind="orientation", per_case=True)
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_hours_before_departure=72)
    Requirement.objects.create(country="ALB", kind="biometrics", valid_days=20)
    people = [p for c in cases for p in c.members.all()]
    rng = random.Random(19)
    for _ in range(40):
        Fact.objects.create(
            person=rng.choice(people),
            kind=rng.choice(["visa", "orientation", "fit_to_travel", "biometrics"]),
            status=rng.choice(["passed"] * 4 + ["pending", "failed", "waived", "expired"]),
            on=D + dt.timedelta(days=rng.randrange(20)),
            valid_until=rng.choice([None, D + dt.timedelta(days=rng.randrange(20, 40))]),
        )
    for day in range(0, 40, 3):
        on = D + dt.timedelta(days=day)
        verdicts = selectors.persons_readiness([p.pk for p in people], "ALB", on, alb.pk)
        for f, want in (
            (matrix.Filters(on=on, ready=True), {pk for pk, v in verdicts.items() if v.ready}),
            (
                matrix.Filters(on=on, blocked="orientation"),
                {pk for pk, v in verdicts.items() if "orientation" in {b.kind for b in v.blockers}},
            ),
            (
                matrix.Filters(on=on, blocked="fit_to_travel"),
                {
                    pk
                    for pk, v in verdicts.items()
                    if "fit_to_travel" in {b.kind for b in v.blockers}
                },
            ),
        ):
            pg = matrix.page([alb], f, per_page=100)
            got = {row[0] for row in pg.rows}
            assert got == want, (on, f)
            # "Blocked by R" reads only R's facts to filter: the rows shown still carry
            # every fact, so each row's cells are the engine's whole verdict.
            reqs = pg.requirements[alb.pk]
            for pk, _case, _pledge, facts in pg.rows:
                assert engine.evaluate(reqs, facts, on) == verdicts[pk], (on, f, pk)
        # The same persons from the latest facts in one query (onward/readiness/latest.py).
        assert {pk for pk, _case in latest.who_can_fly(alb, on)} == {
            pk for pk, v in verdicts.items() if v.ready
        }, on
        # Per-case: one verdict for the whole family.
        family = [verdicts[p.pk] for p in cases[0].members.all()]
        per_case = {"orientation" in {b.kind for b in v.blockers} for v in family}
        assert len(per_case) == 1


# --- The delegation confirms its own items ---------------------------------------------


def _confirm(client, world, **body):
    data = {"person": world["b"].person_id, "kind": "visa", "status": "passed", "on": "2026-12-03"}
    data.update(body)
    return client.post(
        reverse("readiness_confirm", args=[body.pop("pledge", world["alb"].pk)]), data
    )


def test_delegation_confirms_a_visa(client, users, world):
    dl = users[roles.DELEGATION]
    client.force_login(dl)
    r = _confirm(client, world, valid_until="2027-06-01", evidence="visa ALB-123")
    assert r.status_code == 302, r.content.decode()[-3000:]
    fact = Fact.objects.filter(person=world["b"], kind="visa").latest("id")
    assert (fact.status, fact.recorded_by, fact.on) == ("passed", dl, dt.date(2026, 12, 3))
    assert fact.valid_until == dt.date(2027, 6, 1)


def test_delegation_may_not_confirm_what_is_not_its_item(client, users, world):
    client.force_login(users[roles.DELEGATION])
    count = Fact.objects.count()
    r = _confirm(client, world, kind="fit_to_travel")
    assert r.status_code == 403
    assert Fact.objects.count() == count
    assert AuditEntry.objects.filter(action="denied", object_type="requirement").exists()


def test_delegation_confirming_out_of_scope_is_404_and_denied(client, users, world):
    client.force_login(users[roles.DELEGATION])
    count = Fact.objects.count()
    # Germany's pledge, and a person who is on no Albanian case.
    assert (
        _confirm(client, world, pledge=world["deu"].pk, person=world["c"].person_id).status_code
        == 404
    )
    assert _confirm(client, world, person=world["c"].person_id).status_code == 404
    assert Fact.objects.count() == count
    denied = AuditEntry.objects.filter(action="denied")
    assert (
        denied.filter(object_type="pledge").exists()
        and denied.filter(object_type="person").exists()
    )


def test_bad_dates_and_statuses_are_refused_whole(client, users, world):
    client.force_login(users[roles.DELEGATION])
    count = Fact.objects.count()
    for body in (
        {"on": "2026-13-01"},
        {"valid_until": "2026-11-01"},
        {"status": "waived"},
    ):
        r = _confirm(client, world, **body)
        assert r.status_code == 302
        assert Fact.objects.count() == count, body


def test_staff_do_not_confirm_for_a_delegation(client, users, world):
    client.force_login(users[roles.RESETTLEMENT])
    assert _confirm(client, world).status_code == 403
