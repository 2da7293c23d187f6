"""The readiness page of a pledge: the grid, the "who can fly on D" filter, the form."""

import datetime as dt

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.readiness.models import Fact, Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

D = dt.date(2026, 12, 1)


@pytest.fixture
def world(users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="visa")
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_days=3)
    Requirement.objects.create(country="ALB", kind="biometrics", waivable=True)
    a, b = case.members.order_by("person_id")
    rs = users[roles.RESETTLEMENT]
    for person in (a, b):
        Fact.objects.create(person=person, kind="visa", status="passed", on=D, recorded_by=rs)
        Fact.objects.create(person=person, kind="fit_to_travel", status="passed", on=D)
    Fact.objects.create(person=a, kind="biometrics", status="waived", on=D)
    return alb, a, b


def _cells(response, person):
    row = next(r for r in response.context["rows"] if r["person"] == person)
    return [c["status"] for c in row["cells"]], row["ready"]


def test_grid_shows_each_persons_cells(client, users, world):
    alb, a, b = world
    client.force_login(users[roles.RESETTLEMENT])
    url = reverse("pledge_readiness", args=[alb.pk])
    r = client.get(url, {"on": "2026-12-02"})
    assert r.status_code == 200
    # Columns in kind order: biometrics, fit_to_travel, visa.
    assert _cells(r, a) == (["waived", "passed", "passed"], True)
    assert _cells(r, b) == (["missing", "passed", "passed"], False)
    assert b"1 person can fly on 2026-12-02" in r.content
    # Fitness lasts 3 days: on the 5th it has expired; before the 1st nothing is known.
    assert _cells(client.get(url, {"on": "2026-12-05"}), a) == (
        ["waived", "expired", "passed"],
        False,
    )
    assert _cells(client.get(url, {"on": "2026-11-30"}), a)[0] == ["missing"] * 3
    reads = AuditEntry.objects.filter(action="view", object_type="person")
    assert set(reads.values_list("object_id", flat=True)) == {a.person_id, b.person_id}


def test_who_can_fly_filter(client, users, world):
    alb, a, _ = world
    client.force_login(users[roles.AUDITOR])
    r = client.get(reverse("pledge_readiness", args=[alb.pk]), {"on": "2026-12-02", "ready": "1"})
    assert [row["person"] for row in r.context["rows"]] == [a]
    assert b'id="record-fact"' not in r.content  # auditors may not record


def test_bad_date_is_named_and_today_shown(client, users, world):
    alb, *_ = world
    client.force_login(users[roles.RESETTLEMENT])
    r = client.get(reverse("pledge_readiness", args=[alb.pk]), {"on": "2026-02-30"})
    assert r.status_code == 200 and "2026-02-30" in r.context["date_error"]


def test_record_fact_makes_person_ready(client, users, world):
    alb, _, b = world
    client.force_login(users[roles.RESETTLEMENT])
    r = client.post(
        reverse("readiness_record_fact", args=[alb.pk]),
        {"person": b.person_id, "kind": "biometrics", "status": "passed", "on": "2026-12-02"},
        follow=True,
    )
    assert _cells(r, b) == (["passed", "passed", "passed"], True)
    assert (
        Fact.objects.filter(person=b, kind="biometrics").get().recorded_by
        == users[roles.RESETTLEMENT]
    )


def test_refusal_shown_and_nothing_stored(client, users, world):
    alb, _, b = world
    client.force_login(users[roles.PROTECTION])  # may record, may not waive
    before = Fact.objects.count()
    r = client.post(
        reverse("readiness_record_fact", args=[alb.pk]),
        {"person": b.person_id, "kind": "biometrics", "status": "waived", "on": "2026-12-02"},
        follow=True,
    )
    assert "may not waive" in r.content.decode()
    r = client.post(
        reverse("readiness_record_fact", args=[alb.pk]),
        {
            "person": b.person_id,
            "kind": "visa",
            "status": "passed",
            "on": "2026-12-02",
            "valid_until": "2026-11-01",
        },
        follow=True,
    )
    assert "is before the date" in r.content.decode()
    r = client.post(
        reverse("readiness_record_fact", args=[alb.pk]),
        {"person": "P999", "kind": "visa", "status": "passed", "on": "2026-12-02"},
        follow=True,
    )
    assert "not a member of an accepted case" in r.content.decode()
    assert Fact.objects.count() == before


def test_delegation_sees_only_its_countrys_pledge(client, users, world):
    alb, *_ = world
    deu = pledge(users, country="DEU")
    client.force_login(users[roles.DELEGATION])
    assert client.get(reverse("pledge_readiness", args=[alb.pk])).status_code == 200
    assert client.get(reverse("pledge_readiness", args=[deu.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="pledge").exists()


def test_filters_expiring_within_14_days_and_blocked_by_a_requirement(client, users, world):
    alb, a, b = world
    client.force_login(users[roles.RESETTLEMENT])
    url = reverse("pledge_readiness", args=[alb.pk])
    # Fitness (3 days from the 1st) expires on the 4th: within 14 days of the 2nd.
    r = client.get(url, {"on": "2026-12-02", "expiring": "1"})
    assert {row["person"] for row in r.context["rows"]} == {a, b}
    r = client.get(url, {"on": "2026-12-02", "blocked": "biometrics"})
    assert [row["person"] for row in r.context["rows"]] == [b]
    r = client.get(url, {"on": "2026-12-05", "blocked": "fit_to_travel"})
    assert {row["person"] for row in r.context["rows"]} == {a, b}  # as of a later date
    r = client.get(url, {"on": "2026-11-20", "expiring": "1"})
    assert r.context["rows"] == []  # as of a past date: nothing recorded yet


def test_reminders_name_a_requirement_expiring_before_a_planned_flight(client, users, world):
    from onward.movements import services as movements

    alb, a, b = world
    rs = users[roles.RESETTLEMENT]
    transfer = movements.transfer_plan(actor=rs, pledge=alb, date=D + dt.timedelta(days=6), seats=5)
    movements.transfer_case_add(actor=rs, transfer=transfer, case=a.case)
    client.force_login(rs)
    r = client.get(reverse("pledge_readiness", args=[alb.pk]), {"on": "2026-12-02"})
    text = " ".join(r.context["reminders"])
    assert f"{a.person_id}: Fitness to travel expired before the flight" in text


def test_a_traveller_departed_by_the_date_shows_as_departed_not_blocked(client, users, world):
    """As of a past date, a member who had flown before it (the demo's earlier flights) is
    "departed D", neither counted as one who can fly nor listed as blocked; before the
    flight the same person is evaluated as any other."""
    from onward.registry.models import Person

    alb, a, b = world
    Person.objects.filter(pk=a.pk).update(departure_date=dt.date(2026, 12, 3))
    client.force_login(users[roles.RESETTLEMENT])
    url = reverse("pledge_readiness", args=[alb.pk])
    after = client.get(url, {"on": "2026-12-10"})
    row = next(r for r in after.context["rows"] if r["person"] == a)
    assert (row["departed"], row["ready"], row["blocked_by"]) == (
        dt.date(2026, 12, 3),
        False,
        set(),
    )
    assert "departed 2026-12-03" in after.content.decode()
    blocked = client.get(url, {"on": "2026-12-10", "blocked": "fit_to_travel"})
    assert [r["person"] for r in blocked.context["rows"]] == [b]
    before = client.get(url, {"on": "2026-12-02"})
    assert _cells(before, a) == (["waived", "passed", "passed"], True)
    flight_day = client.get(url, {"on": "2026-12-03"})  # on its day, one who can fly
    assert next(r for r in flight_day.context["rows"] if r["person"] == a)["departed"] is None


def test_a_travel_document_number_is_recorded_through_the_form_encrypted(client, users, world):
    from django.db import connection

    alb, _a, b = world
    Requirement.objects.create(country="ALB", kind="travel_document")
    client.force_login(users[roles.RESETTLEMENT])
    r = client.post(
        reverse("readiness_record_fact", args=[alb.pk]),
        {
            "person": b.person_id,
            "kind": "travel_document",
            "status": "passed",
            "on": "2026-12-02",
            "valid_until": "2027-12-02",
            "document_number": "ICRC-26-0042",
            "document_issuer": "ICRC",
            "document_issued_on": "2026-12-01",
        },
    )
    assert r.status_code == 302
    fact = Fact.objects.get(person=b, kind="travel_document")
    assert (fact.document_number, fact.document_issuer) == ("ICRC-26-0042", "ICRC")
    assert fact.document_issued_on == dt.date(2026, 12, 1)
    with connection.cursor() as cur:
        cur.execute("SELECT document_number FROM readiness_fact WHERE id = %s", [fact.pk])
        assert "ICRC-26-0042" not in cur.fetchone()[0]
    assert AuditEntry.objects.filter(action="create", object_type="readiness_fact").exists()


def test_dates_out_of_bounds_are_named_never_a_server_error(client, users, world):
    alb, _a, b = world
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(reverse("pledge_readiness", args=[alb.pk]), {"on": "9999-12-31"})
    assert page.status_code == 200 and "9999-12-31" in page.content.decode()
    before = Fact.objects.count()
    for body in ({"on": "9999-12-30"}, {"valid_until": "9999-12-31"}, {"on": "2026-02-30"}):
        data = {"person": b.person_id, "kind": "visa", "status": "passed", "on": "2026-12-02"}
        r = client.post(
            reverse("readiness_record_fact", args=[alb.pk]), {**data, **body}, follow=True
        )
        text = r.content.decode()
        assert r.status_code == 200, body
        assert "Onward accepts" in text or "not a date" in text, body
    assert Fact.objects.count() == before


def test_travel_needs_are_set_through_the_form_and_shown_to_who_records(client, users, world):
    """The ticked codes replace the traveller's (audited, before and after); an unknown code
    or a person not on the pledge changes nothing; a delegation may not set them."""
    from onward.readiness.models import TravelNeed

    alb, _a, b = world
    url = reverse("readiness_travel_needs", args=[alb.pk])
    client.force_login(users[roles.RESETTLEMENT])
    r = client.post(url, {"person": b.person_id, "needs": ["WCHR", "MEDA"]}, follow=True)
    assert "WCHR, MEDA" in r.content.decode() or "MEDA, WCHR" in r.content.decode()
    assert sorted(TravelNeed.objects.filter(person=b).values_list("need", flat=True)) == [
        "MEDA",
        "WCHR",
    ]
    entry = AuditEntry.objects.filter(object_id=b.person_id, detail="travel needs").get()
    assert entry.changes == {"travel_needs": [[], ["MEDA", "WCHR"]]}
    page = client.get(reverse("pledge_readiness", args=[alb.pk])).content.decode()
    assert f"{b.person_id} {b.full_name} (MEDA, WCHR)" in page

    client.post(url, {"person": b.person_id, "needs": ["WCHR"]})
    assert list(TravelNeed.objects.filter(person=b).values_list("need", flat=True)) == ["WCHR"]
    for body in ({"person": b.person_id, "needs": ["WCHR", "JUMP"]}, {"person": "P999999"}):
        r = client.post(url, body, follow=True)
        assert r.status_code == 200 and (
            "JUMP" in r.content.decode() or "P999999" in r.content.decode()
        )
    assert list(TravelNeed.objects.filter(person=b).values_list("need", flat=True)) == ["WCHR"]

    client.force_login(users[roles.DELEGATION])
    assert client.post(url, {"person": b.person_id, "needs": []}).status_code == 403
    assert (
        "travel-needs"
        not in client.get(reverse("pledge_readiness", args=[alb.pk])).content.decode()
    )
    assert TravelNeed.objects.filter(person=b).count() == 1
