import pytest

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, users):
    client.force_login(users[roles.CLERK])
    return client


def test_reading_a_person_is_audited(api, case):
    pa = case.members.get(relationship="principal")
    response = api.get(f"/api/persons/{pa.person_id}/")
    assert response.status_code == 200
    assert response.json()["given_name"] == "Mohammad"
    entry = AuditEntry.objects.get(action="view")
    assert (entry.object_type, entry.object_id, entry.channel) == ("person", pa.person_id, "api")


def test_a_stale_edit_gets_409_with_the_field_at_fault(api, case):
    pa = case.members.get(relationship="principal")
    assert (
        api.patch(
            f"/api/persons/{pa.person_id}/",
            {"phone": "+964 770 000 0001", "version": 1},
            content_type="application/json",
        ).status_code
        == 200
    )
    response = api.patch(
        f"/api/persons/{pa.person_id}/",
        {"phone": "+964 770 000 0002", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "version" in response.json()["fields"]
    pa.refresh_from_db()
    assert pa.phone == "+964 770 000 0001"


def test_bad_input_is_refused_whole_with_each_field_named(api):
    response = api.post(
        "/api/cases/",
        {
            "principal": {
                "given_name": "Ali",
                "birth_date": "2013-02-30",
                "nationality": "ZZZ",
                "sex": "male",
            }
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"birth_date", "nationality", "sex"}
    assert not Person.objects.exists()


def test_a_second_principal_through_the_api_is_refused(api, case):
    response = api.post(
        f"/api/cases/{case.case_id}/members/",
        {"given_name": "Reza", "relationship": "principal"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "already has a principal" in response.json()["fields"]["relationship"][0]


def test_list_filters_by_name_part_and_sex(api, case):
    data = api.get("/api/persons/?q=fatem").json()
    assert [p["given_name"] for p in data["results"]] == ["Fatemeh"]
    assert api.get("/api/persons/?sex=M").json()["count"] == 1


def test_a_delegation_never_reads_the_registry_itself(client, users, case):
    """Delegations read what was submitted to them through the relocation API, which
    shares only some fields; the registry's full records are not theirs."""
    client.force_login(users[roles.DELEGATION])
    assert client.get("/api/persons/").status_code == 403
    pa = case.members.get(relationship="principal")
    assert client.get(f"/api/persons/{pa.person_id}/").status_code == 403
    assert client.get(f"/persons/{pa.person_id}/").status_code == 403


def test_an_out_of_scope_web_read_is_refused_and_audited(client, users, case):
    client.force_login(users[roles.CLERK])
    assert client.get("/persons/P999999/").status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_id="P999999").exists()


def test_the_openapi_schema_is_served_by_the_app(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/persons/{person_id}/" in response.json()["paths"]
    docs = api.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
