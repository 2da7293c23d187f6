"""The readiness API (docs/readiness.md, "The API"): the same answer as the matrix page
(cells, valid until, blockers, filters, as of a date, cursor paging), facts recorded
through services.record_fact with the same refusals (named, nothing written), a
delegation reading only its own accepted cases' shared fields and confirming its own
items, and every out-of-scope id a 404 with a `denied` audit entry."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.readiness import matrix
from onward.readiness.models import Fact, Requirement
from onward.relocation.models import RelocationCase, State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db

D = dt.date(2026, 12, 1)


def _get(client, name="api_readiness", *, status=200, kwargs=None, **query):
    r = client.get(reverse(name, kwargs=kwargs), query)
    assert r.status_code == status, r.content.decode()[:2000]
    return r.json()


def _ids(answer):
    return [row["person_id"] for row in answer["results"]]


def _post(client, name, pledge_pk, body):
    return client.post(
        reverse(name, kwargs={"pledge_id": pledge_pk}),
        json.dumps(body),
        content_type="application/json",
    )


def _denied():
    return AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count()


# --- Reading ------------------------------------------------------------------------------


def test_cells_valid_until_and_blockers_per_person(client_for, world):
    client = client_for(roles.RESETTLEMENT)
    answer = _get(client, on="2026-12-02")
    assert answer["on"] == "2026-12-02" and answer["next_after"] is None
    rows = {row["person_id"]: row for row in answer["results"]}
    a = rows[world["a"].person_id]
    assert (a["case_id"], a["pledge"], a["country"], a["ready"], a["blockers"]) == (
        world["family"].case_id,
        world["alb"].pk,
        "ALB",
        True,
        [],
    )
    cells = {cell["kind"]: cell for cell in a["requirements"]}
    assert cells["visa"] == {
        "kind": "visa",
        "status": "passed",
        "valid_until": "2026-12-11",
        "per_case": False,
    }
    assert cells["fit_to_travel"]["valid_until"] == "2026-12-04"  # 72 h: D + 3
    assert cells["orientation"]["per_case"] and cells["orientation"]["status"] == "passed"
    assert set(cells) == {"visa", "orientation", "fit_to_travel", "biometrics"}
    # Germany asks biometrics only: no cell for what the pledge does not ask.
    assert [c["kind"] for c in rows[world["c"].person_id]["requirements"]] == ["biometrics"]
    # As of D + 4 the fitness check has expired, named as the blocker.
    later = {r["person_id"]: r for r in _get(client, on="2026-12-05")["results"]}
    assert later[world["a"].person_id]["blockers"] == [
        {"kind": "fit_to_travel", "reason": "expired"}
    ]
    assert not later[world["a"].person_id]["ready"] and later[world["c"].person_id]["ready"]
    # Every person answered is an audited read.
    reads = AuditEntry.objects.filter(action="view", object_type="person")
    assert set(reads.values_list("object_id", flat=True)) == set(rows)


@pytest.mark.parametrize(
    "query",
    [
        {"on": "2026-12-02"},
        {"on": "2026-12-04", "ready": "1"},
        {"on": "2026-12-05", "ready": "true"},
        {"on": "2026-12-05", "blocked": "fit_to_travel"},
        {"on": "2026-12-02", "expiring": "1"},
        {"on": "2026-11-30"},
        {"on": "2026-11-30", "ready": "1"},
        {"on": "2026-12-02", "country": "DEU"},
        {"on": "2026-12-02", "country": "deu", "blocked": "biometrics"},
    ],
)
def test_the_same_persons_as_the_matrix_page(client_for, world, query):
    client = client_for(roles.AUDITOR)
    # The page takes ready=1 (the API true as well).
    page = client.get(
        reverse("readiness_matrix"), {k: "1" if v == "true" else v for k, v in query.items()}
    )
    assert page.status_code == 200
    want = [(row["person"].person_id, row["ready"]) for row in page.context["rows"]]
    answer = _get(client, **query)
    assert [(r["person_id"], r["ready"]) for r in answer["results"]] == want


def test_one_pledge_and_the_pledge_filter(client_for, world):
    client = client_for(roles.PROTECTION)
    by_path = _get(
        client, "api_readiness_pledge", kwargs={"pledge_id": world["alb"].pk}, on="2026-12-02"
    )
    by_query = _get(client, on="2026-12-02", pledge=world["alb"].pk)
    assert _ids(by_path) == _ids(by_query)
    assert set(_ids(by_path)) == {world["a"].person_id, world["b"].person_id}
    assert AuditEntry.objects.filter(action="view", object_type="pledge").exists()


def test_cursor_paging_walks_every_person_once(client_for, world):
    client = client_for(roles.RESETTLEMENT)
    first = _get(client, on="2026-12-02", per_page=2)
    assert len(first["results"]) == 2 and first["next_after"]
    assert f"after={first['next_after']}" in first["next"] and "per_page=2" in first["next"]
    second = _get(client, on="2026-12-02", per_page=2, after=first["next_after"])
    assert len(second["results"]) == 1 and second["next_after"] is None
    assert sorted(_ids(first) + _ids(second)) == sorted(world[k].person_id for k in ("a", "b", "c"))
    # The page's own key pages the page the same way.
    assert (
        first["next_after"]
        == matrix.page([world["alb"], world["deu"]], matrix.Filters(on=D), per_page=2).after
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ({"on": "2026-02-30"}, "on"),
        ({"on": "0001-01-01"}, "on"),
        ({"ready": "maybe"}, "ready"),
        ({"expiring": "2"}, "expiring"),
        ({"blocked": "nonsense"}, "blocked"),
        ({"after": "x.y"}, "after"),
        ({"after": "99999999999999999999.1"}, "after"),
        ({"after": "٣.٣"}, "after"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "201"}, "per_page"),
        ({"country": "12"}, "country"),
    ],
)
def test_bad_parameters_are_400_naming_them(client_for, world, query, field):
    answer = _get(client_for(roles.RESETTLEMENT), status=400, **query)
    assert list(answer["fields"]) == [field]


def test_staff_without_relocation_view_are_refused(client_for, world):
    # Every staff role sees the readiness pages; an anonymous caller is refused.
    from django.test import Client

    assert Client().get(reverse("api_readiness")).status_code == 403


# --- A delegation reads its own --------------------------------------------------------------


def test_delegation_reads_its_accepted_cases_shared_fields_only(client_for, world):
    from onward.consent.models import Consent

    client = client_for(roles.DELEGATION)  # Albania's
    answer = _get(client, on="2026-12-02")
    assert set(_ids(answer)) == {world["a"].person_id, world["b"].person_id}
    assert set(answer["results"][0]) == {
        "person_id",
        "case_id",
        "given_name",
        "family_name",
        "pledge",
        "country",
        "ready",
        "blockers",
        "requirements",
        "travel_needs",
    }
    assert {row["travel_needs"] for row in answer["results"]} == {None}
    # A member whose consent for the country is withdrawn is left out at once.
    Consent.objects.create(
        person=world["b"],
        recipient="delegation",
        country="ALB",
        purpose="resettlement",
        method="verbal",
        witness="the camp nurse",
        given_on=dt.date(2026, 1, 1),
        withdrawn_on=dt.date(2026, 2, 1),
    )
    assert _ids(_get(client, on="2026-12-02")) == [world["a"].person_id]
    assert _ids(_get(client, "api_readiness_pledge", kwargs={"pledge_id": world["alb"].pk})) == [
        world["a"].person_id
    ]


@pytest.mark.parametrize(
    "name, kwargs, query",
    [
        ("api_readiness", None, {"pledge": "deu"}),
        ("api_readiness", None, {"country": "DEU"}),
        ("api_readiness_pledge", {"pledge_id": "deu"}, {}),
        ("api_readiness_pledge", {"pledge_id": 9999999}, {}),
    ],
)
def test_delegation_out_of_scope_is_404_and_denied(client_for, world, name, kwargs, query):
    client = client_for(roles.DELEGATION)
    kwargs = {k: world["deu"].pk if v == "deu" else v for k, v in (kwargs or {}).items()}
    query = {k: world["deu"].pk if v == "deu" else v for k, v in query.items()}
    before = _denied()
    _get(client, name, status=404, kwargs=kwargs or None, **query)
    assert _denied() == before + 1
    assert not AuditEntry.objects.filter(action="view", object_type="person").exists()


# --- Recording facts --------------------------------------------------------------------------


def _record(client, world, **body):
    data = {"person": world["b"].person_id, "kind": "visa", "status": "passed", "on": "2026-12-03"}
    data.update(body)
    return _post(client, "api_readiness_record", body.pop("pledge", world["alb"].pk), data)


def test_a_travel_document_is_recorded_encrypted_and_the_case_follows(client_for, users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="travel_document")
    person = case.members.get()
    client = client_for(roles.RESETTLEMENT)
    r = _post(
        client,
        "api_readiness_record",
        alb.pk,
        {
            "person": person.person_id,
            "kind": "travel_document",
            "status": "passed",
            "on": "2026-12-01",
            "valid_until": "2027-12-01",
            "evidence": "ICRC TD scan 77",
            "document_number": "ICRC-26-7788",
            "document_issuer": "ICRC",
            "document_issued_on": "2026-11-30",
        },
    )
    assert r.status_code == 201, r.content.decode()
    answer = r.json()
    assert "ICRC-26-7788" not in r.content.decode()  # never answered
    assert answer["document_number_recorded"] and answer["case_state"] == State.READY
    fact = Fact.objects.get(pk=answer["id"])
    assert (fact.document_number, fact.recorded_by) == ("ICRC-26-7788", users[roles.RESETTLEMENT])
    with connection.cursor() as cur:
        cur.execute("SELECT document_number FROM readiness_fact WHERE id = %s", [fact.pk])
        assert "ICRC-26-7788" not in cur.fetchone()[0]
    assert RelocationCase.objects.get(case=case).state == State.READY
    write = AuditEntry.objects.get(action="create", object_type="readiness_fact")
    assert write.object_id == str(fact.pk) and "ICRC-26-7788" not in str(write.changes)


@pytest.mark.parametrize(
    "body, role, status, field, words",
    [
        (
            {
                "kind": "visa",
                "on": "2026-06-01",
                "valid_until": "2026-07-01",
                "document_issued_on": "2026-08-01",
            },
            roles.RESETTLEMENT,
            400,
            "valid_until",
            "before its issue date",
        ),
        ({"valid_until": "2026-11-01"}, roles.RESETTLEMENT, 400, "valid_until", "is before"),
        ({"kind": "security_clearance"}, roles.RESETTLEMENT, 400, "kind", "no requirement"),
        ({"kind": "visa", "status": "waived"}, roles.ADMIN, 400, "status", "may not be waived"),
        (
            {"kind": "biometrics", "status": "waived"},
            roles.PROTECTION,
            403,
            "status",
            "may not waive biometrics",
        ),
        ({"on": "2026-13-01"}, roles.RESETTLEMENT, 400, "on", ""),
        ({"on": "1999-12-31"}, roles.RESETTLEMENT, 400, "on", "earliest"),
        ({"status": "done"}, roles.RESETTLEMENT, 400, "status", ""),
    ],
)
def test_bad_input_refused_whole_naming_it(client_for, world, body, role, status, field, words):
    count, denied = Fact.objects.count(), _denied()
    r = _record(client_for(role), world, **body)
    assert r.status_code == status, r.content.decode()
    answer = r.json()
    assert field in answer["fields"] and words in " ".join(answer["fields"][field])
    assert Fact.objects.count() == count
    assert not AuditEntry.objects.filter(action="create", object_type="readiness_fact").exists()
    assert _denied() == denied + (1 if status == 403 else 0)  # a refused waiver is audited


def test_a_waiver_by_a_role_that_may_is_recorded(client_for, world):
    r = _record(client_for(roles.RESETTLEMENT), world, kind="biometrics", status="waived")
    assert r.status_code == 201 and r.json()["status"] == "waived"


def test_recording_out_of_scope_is_404_and_denied(client_for, world):
    client = client_for(roles.RESETTLEMENT)
    count = Fact.objects.count()
    for pledge_pk, person in (
        (world["alb"].pk, world["c"].person_id),  # on Germany's pledge, not Albania's
        (world["alb"].pk, "P9999999"),
        (9999999, world["b"].person_id),
    ):
        before = _denied()
        r = _record(client, world, pledge=pledge_pk, person=person)
        assert r.status_code == 404 and _denied() == before + 1, (pledge_pk, person)
    assert Fact.objects.count() == count


@pytest.mark.parametrize("role", [roles.CLERK, roles.DATA_MANAGER, roles.AUDITOR, roles.DELEGATION])
def test_roles_that_do_not_record_are_refused_before_any_lookup(client_for, world, role):
    assert _record(client_for(role), world).status_code == 403
    assert not Fact.objects.filter(recorded_by__role=role).exists()


# --- A delegation confirms its own items ------------------------------------------------------


def _confirm(client, world, **body):
    data = {"person": world["b"].person_id, "kind": "visa", "status": "passed", "on": "2026-12-03"}
    data.update(body)
    return _post(client, "api_readiness_confirm", body.pop("pledge", world["alb"].pk), data)


def test_delegation_confirms_a_visa_and_the_case_follows(client_for, users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="visa", delegation_confirms=True)
    person = case.members.get()
    r = _post(
        client_for(roles.DELEGATION),
        "api_readiness_confirm",
        alb.pk,
        {"person": person.person_id, "kind": "visa", "on": "2026-12-03", "evidence": "V-1"},
    )
    assert r.status_code == 201, r.content.decode()
    assert (r.json()["status"], r.json()["case_state"]) == ("passed", State.READY)
    fact = Fact.objects.get(pk=r.json()["id"])
    assert fact.recorded_by == users[roles.DELEGATION] and fact.evidence == "V-1"


def test_delegation_confirming_what_is_not_its_item_or_out_of_scope(client_for, world):
    client = client_for(roles.DELEGATION)
    count = Fact.objects.count()
    assert _confirm(client, world, kind="fit_to_travel").status_code == 403
    assert AuditEntry.objects.filter(action="denied", object_type="requirement").exists()
    for pledge_pk, person in (
        (world["deu"].pk, world["c"].person_id),  # another country's pledge
        (world["alb"].pk, world["c"].person_id),  # not on Albania's pledge
    ):
        before = _denied()
        assert _confirm(client, world, pledge=pledge_pk, person=person).status_code == 404
        assert _denied() == before + 1
    r = _confirm(client, world, valid_until="2026-11-01")
    assert r.status_code == 400 and "valid_until" in r.json()["fields"]
    r = _confirm(client, world, status="waived")
    assert r.status_code == 400 and "status" in r.json()["fields"]
    assert Fact.objects.count() == count


def test_staff_do_not_confirm_for_a_delegation(client_for, world):
    assert _confirm(client_for(roles.RESETTLEMENT), world).status_code == 403


# --- Travel needs --------------------------------------------------------------------------------


def test_travel_needs_and_the_travel_document_reach_the_manifest(client_for, users):
    from onward.movements import selectors as movements_selectors
    from onward.movements import services as movements
    from onward.readiness.models import TravelNeed

    alb = pledge(users)
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="travel_document")
    person = case.members.get()
    client = client_for(roles.PROTECTION)
    url = "api_readiness_travel_needs"
    r = _post(client, url, alb.pk, {"person": person.person_id, "needs": ["OXYG", "MEDA"]})
    assert r.status_code == 200, r.content.decode()
    assert r.json() == {"person_id": person.person_id, "needs": ["MEDA", "OXYG"]}
    r = _post(client, url, alb.pk, {"person": person.person_id, "needs": ["WCHR", "MEDA"]})
    assert r.json()["needs"] == ["MEDA", "WCHR"]
    assert sorted(TravelNeed.objects.filter(person=person).values_list("need", flat=True)) == [
        "MEDA",
        "WCHR",
    ]
    change = AuditEntry.objects.filter(action="update", detail="travel needs").latest("id")
    assert change.changes == {"travel_needs": [["MEDA", "OXYG"], ["MEDA", "WCHR"]]}
    r = _post(
        client,
        "api_readiness_record",
        alb.pk,
        {
            "person": person.person_id,
            "kind": "travel_document",
            "status": "passed",
            "on": "2026-12-01",
            "valid_until": "2027-12-01",
            "document_number": "ICRC-26-1234",
            "document_issued_on": "2026-12-01",
        },
    )
    assert r.status_code == 201
    transfer = movements.transfer_plan(
        actor=users[roles.RESETTLEMENT], pledge=alb, date=dt.date(2026, 12, 20), seats=5
    )
    movements.transfer_case_add(actor=users[roles.RESETTLEMENT], transfer=transfer, case=case)
    (row,) = movements_selectors.manifest_rows(transfer)
    assert (row["travel_document"], row["travel_document_expiry"]) == ("ICRC-26-1234", "2027-12-01")
    assert (row["assistance"], row["escort"]) == ("MEDA WCHR", "MEDA")
    # The reads list them for who records them; for the others (auditor) they stay null.
    listed = _get(client, "api_readiness_pledge", kwargs={"pledge_id": alb.pk})["results"]
    assert [p["travel_needs"] for p in listed] == [["MEDA", "WCHR"]]
    auditor = _get(client_for(roles.AUDITOR), "api_readiness_pledge", kwargs={"pledge_id": alb.pk})[
        "results"
    ]
    assert [p["travel_needs"] for p in auditor] == [None]


def test_travel_needs_refusals(client_for, world):
    from onward.readiness.models import TravelNeed

    url = "api_readiness_travel_needs"
    client = client_for(roles.RESETTLEMENT)
    r = _post(client, url, world["alb"].pk, {"person": world["b"].person_id, "needs": ["JETPACK"]})
    assert r.status_code == 400 and "needs" in r.json()["fields"]
    before = _denied()
    r = _post(client, url, world["alb"].pk, {"person": world["c"].person_id, "needs": ["WCHR"]})
    assert r.status_code == 404 and _denied() == before + 1
    body = {"person": world["b"].person_id, "needs": ["WCHR"]}
    assert _post(client_for(roles.CLERK), url, world["alb"].pk, body).status_code == 403
    assert _post(client_for(roles.DELEGATION), url, world["alb"].pk, body).status_code == 403
    assert not TravelNeed.objects.exists()
