import pytest

from onward.accounts import roles
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_search_finds_a_person_by_part_of_the_name(client, users, case):
    client.force_login(users[roles.CLERK])
    page = client.get("/persons/", {"q": "rezae"}).content.decode()
    assert "Mohammad" in page and "Fatemeh" not in page


def test_opening_a_person_writes_a_view_entry(client, users, case):
    client.force_login(users[roles.PROTECTION])
    pa = case.members.get(relationship="principal")
    assert client.get(f"/persons/{pa.person_id}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_id=pa.person_id, actor_name="t_protection"
    ).exists()


def test_a_stale_form_is_refused_with_a_clear_message(client, users, case):
    client.force_login(users[roles.CLERK])
    pa = case.members.get(relationship="principal")
    form = {
        "relationship": "principal",
        "given_name": "Mohamad",
        "family_name": "Rezaei",
        "sex": "M",
        "birth_date": "1970-05-12",
        "nationality": "IRN",
        "version": 1,
    }
    assert client.post(f"/persons/{pa.person_id}/edit/", form).status_code == 302
    response = client.post(
        f"/persons/{pa.person_id}/edit/", {**form, "given_name": "Muhammad"}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    pa.refresh_from_db()
    assert pa.given_name == "Mohamad"


def test_a_form_with_an_impossible_date_shows_the_error_and_saves_nothing(client, users, case):
    client.force_login(users[roles.CLERK])
    pa = case.members.get(relationship="principal")
    response = client.post(
        f"/persons/{pa.person_id}/edit/",
        {
            "relationship": "principal",
            "given_name": "Mohammad",
            "birth_date": "2013-02-30",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "is not a date that exists" in response.content.decode()
    pa.refresh_from_db()
    assert pa.version == 1


def test_protection_notes_are_hidden_from_other_roles(client, users, case):
    client.force_login(users[roles.PROTECTION])
    client.post(f"/cases/{case.case_id}/notes/", {"kind": "protection", "text": "threat reported"})
    assert "threat reported" in client.get(f"/cases/{case.case_id}/").content.decode()
    client.force_login(users[roles.RESETTLEMENT])
    assert "threat reported" not in client.get(f"/cases/{case.case_id}/").content.decode()


def test_a_clerk_cannot_add_a_protection_note(client, users, case):
    client.force_login(users[roles.CLERK])
    response = client.post(f"/cases/{case.case_id}/notes/", {"kind": "protection", "text": "x"})
    assert response.status_code == 403
    assert not case.notes.exists()


def test_a_clerk_registers_a_case_through_the_form(client, users):
    client.force_login(users[roles.CLERK])
    response = client.post(
        "/cases/new/",
        {
            "given_name": "Zahra",
            "family_name": "Hosseini",
            "sex": "F",
            "birth_date": "1980-01",
            "nationality": "irn",
            "arrival_date": "2012-02-18",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Zahra" in page and "Principal applicant" in page


def test_a_search_is_audited_with_its_terms(client, users, case):
    client.force_login(users[roles.CLERK])
    client.get("/persons/", {"q": "rezae", "sex": "M"})
    entry = AuditEntry.objects.get(object_type="person_list")
    assert entry.detail == "q=rezae sex=M" and entry.actor_name == "t_clerk"
