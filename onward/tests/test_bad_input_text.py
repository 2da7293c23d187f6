"""Issue 16: characters that reorder or hide a name (right-to-left overrides and isolates,
zero-width characters) or control it are refused in names and identity fields, by the
form, the API and the import alike (validation.parse_line); the auditor's page shows any
such character escaped (`\\u202e`), never raw."""

import pytest

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.conftest import principal_data
from onward.registry.importing import import_file
from onward.registry.models import Person
from onward.registry.tests.test_import import GOOD, write_csv

pytestmark = pytest.mark.django_db

HIDING = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
]


@pytest.mark.parametrize("char", HIDING)
def test_the_api_refuses_a_name_that_hides_or_reorders(client_for, char):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {
            "principal": principal_data(
                given_name=f"Ali{char}Reza",
                father_name=f"{char}Hossein",
                document_number=f"X12{char}34",
            )
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    fields = fields.get("principal", fields)  # NUL: refused by the serializer itself
    assert {"given_name", "father_name", "document_number"} <= set(fields)
    assert char == "\x00" or f"\\u{ord(char):04x}" in fields["given_name"][0]
    assert not Person.objects.exists()


def test_the_form_refuses_a_right_to_left_override(client_for):
    data = {
        k: v
        for k, v in principal_data(family_name="Rez\u202eiea", specific_needs=[]).items()
        if v != []
    }
    response = client_for(roles.CLERK).post("/cases/new/", data)
    assert response.status_code == 200 and "\\u202e" in response.text
    assert not Person.objects.exists()


def test_an_edit_through_the_api_is_refused_too(client_for, case):
    person = case.members.get(relationship="principal")
    response = client_for(roles.CLERK).patch(
        f"/api/persons/{person.person_id}/",
        {"family_name": "Rezaei\u200b", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "family_name" in response.json()["fields"]
    person.refresh_from_db()
    assert person.family_name == "Rezaei"


def test_the_import_refuses_the_row_naming_the_field(tmp_path, users):
    rows = [list(r) for r in GOOD]
    rows[1][4] = "Kar\u202eimi"
    result = import_file(write_csv(tmp_path, rows), actor=users[roles.DATA_MANAGER])
    assert not result.applied
    assert [(e.row, e.column) for e in result.first_errors] == [(3, "family_name")]
    assert not Person.objects.exists()


def test_white_space_is_one_space_and_persian_spelling_is_kept(client_for):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"principal": principal_data(given_name="Ali\nReza\t", family_name="حسین\u200cزاده")},
        content_type="application/json",
    )
    assert response.status_code == 201
    person = Person.objects.get()
    assert person.given_name == "Ali Reza" and person.family_name == "حسین\u200cزاده"


def test_a_zero_width_non_joiner_not_between_letters_is_refused(client_for):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"principal": principal_data(given_name="\u200cAli")},
        content_type="application/json",
    )
    assert response.status_code == 400 and "\\u200c" in response.json()["fields"]["given_name"][0]


def test_the_auditors_page_shows_hidden_characters_escaped(client_for):
    audit_record(
        actor=None,
        actor_name="t_clerk\u202e",
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id="P000001\u200b",
        changes={"family_name": ["Rezaei", "Rez\u202eiea\nX"]},
        detail="note\x1b[2J",
    )
    page = client_for(roles.AUDITOR).get("/audit/?action=update").text
    for shown in ("t_clerk\\u202e", "P000001\\u200b", "Rez\\u202eiea\\u000aX", "note\\u001b[2J"):
        assert shown in page
    assert not any(c in page for c in ("\u202e", "\u200b", "\x1b"))


def test_a_bad_date_filter_on_the_audit_page_is_said_not_a_500(client_for):
    page = client_for(roles.AUDITOR).get("/audit/?date_from=abc&date_to=9999-12-31")
    assert page.status_code == 200 and "It is not applied." in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/audit/?object_id=P1%00",
        "/persons/?q=a%00b",
        "/population/?person=%00",
        "/api/persons/?q=%00",
    ],
)
def test_a_nul_in_a_filter_is_a_clear_400(client_for, url):
    response = client_for(roles.ADMIN).get(url)
    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_nul_in_a_form_is_a_clear_400_and_changes_nothing(client_for):
    data = {
        k: v for k, v in principal_data(given_name="Ali\x00", specific_needs=[]).items() if v != []
    }
    response = client_for(roles.CLERK).post("/cases/new/", data)
    assert response.status_code == 400 and "NUL character" in response.text
    assert not Person.objects.exists()
