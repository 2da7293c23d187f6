"""Names in both scripts (issue 22): a person's given and family names in Arabic script
beside the Latin ones, searched from either script, imported and exported in columns of
their own, shown on the person page, and shared with a delegation only with the names."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onward.conftest import principal_data
from onward.registry import selectors, services
from onward.registry.exporting import PERSON_COLUMNS
from onward.registry.importing import COLUMNS, import_file
from onward.registry.models import Person
from onward.registry.search import search_keys_for, search_keys_refresh
from onward.registry.tests.test_import import GOOD, errors_of, write_csv

pytestmark = pytest.mark.django_db

ZAHRA = "زهرا"
GHAFFARZADEH = "غفارزاده"


def _register(clerk, **names):
    case = services.case_create(actor=clerk, principal=principal_data(**names))
    return case.members.get()


def _found(user, q):
    return set(selectors.person_list(user=user, q=q).values_list("person_id", flat=True))


@pytest.fixture
def two_scripts(clerk):
    """Each person is findable by the family name only through the spelling in the
    script their record holds it in: the other script's field is blank or different."""
    return {
        # The family name is known in Arabic script only.
        "zahra": _register(
            clerk,
            given_name="Zahra",
            family_name="",
            father_name="",
            given_name_arabic=ZAHRA,
            family_name_arabic=GHAFFARZADEH,
            document_number="B1",
        ),
        # The family name is known in Latin script only.
        "karimi": _register(
            clerk,
            given_name="Maryam",
            family_name="Karimi",
            father_name="",
            document_number="B2",
        ),
        "other": _register(
            clerk,
            given_name="Hassan",
            family_name="Ahmadi",
            father_name="",
            given_name_arabic="حسن",
            family_name_arabic="احمدی",
            document_number="B3",
        ),
    }


@pytest.mark.parametrize(
    "query", ["Ghaffarzadeh", "Zahra Ghaffarzadeh", "ghafarzade", GHAFFARZADEH, "زهرا غفارزاده"]
)
def test_the_arabic_script_name_is_found_typed_in_either_script(clerk, two_scripts, query):
    assert _found(clerk, query) == {two_scripts["zahra"].person_id}


@pytest.mark.parametrize("query", ["Karimi", "کریمی", "مریم کریمی"])
def test_the_latin_name_is_found_typed_in_either_script(clerk, two_scripts, query):
    assert _found(clerk, query) == {two_scripts["karimi"].person_id}


def test_without_the_arabic_script_name_the_latin_query_finds_nobody(clerk):
    _register(clerk, given_name="Zahra", family_name="", father_name="", document_number="B9")
    assert _found(clerk, "Ghaffarzadeh") == set()


def test_an_edit_of_the_arabic_script_name_changes_what_finds_the_person(clerk, two_scripts):
    person = two_scripts["zahra"]
    services.person_update(
        actor=clerk,
        person=person,
        expected_version=person.version,
        changes={"family_name_arabic": "رضایی"},
    )
    assert _found(clerk, "Ghaffarzadeh") == set()
    assert _found(clerk, "Zahra Rezaei") == {person.person_id}
    edit = person.__class__.objects.get(pk=person.pk)
    assert edit.family_name_arabic == "رضایی"


def test_a_latin_spelling_in_the_arabic_script_field_is_refused(clerk):
    with pytest.raises(ValidationError) as caught:
        _register(clerk, given_name_arabic="Zahra", document_number="B4")
    assert "Arabic script" in str(caught.value.message_dict["given_name_arabic"])
    assert not Person.objects.filter(given_name="Mohammad", document_number_bidx__isnull=False)


def test_the_refresh_brings_the_stored_keys_up_to_the_arabic_script_names(clerk, two_scripts):
    person = two_scripts["zahra"]
    Person.objects.filter(pk=person.pk).update(search_keys=search_keys_for("Zahra"))
    assert _found(clerk, "Ghaffarzadeh") == set()
    assert search_keys_refresh(force=True) >= 1
    assert _found(clerk, "Ghaffarzadeh") == {person.person_id}


# --- import and export -------------------------------------------------------------------


@pytest.fixture
def dm(users):
    from onward.accounts import roles

    return users[roles.DATA_MANAGER]


HEADER = (*COLUMNS, "given_name_arabic", "family_name_arabic")


def test_the_import_reads_the_arabic_script_columns(tmp_path, dm):
    rows = [[*GOOD[0], "محمد", "رضایی"], [*GOOD[1], "", ""], [*GOOD[2], "حسین", "التمیمی"]]
    result = import_file(write_csv(tmp_path, rows, header=HEADER), actor=dm)
    assert result.applied and result.errors == 0
    pa = Person.objects.get(person_id="P900001")
    assert (pa.given_name_arabic, pa.family_name_arabic) == ("محمد", "رضایی")
    assert set(pa.name_keys.values_list("key", flat=True)) == set(pa.search_keys.split())
    assert "P900003" in _found(dm, "التمیمی")


def test_a_file_without_the_columns_leaves_the_arabic_script_names(tmp_path, dm):
    rows = [[*GOOD[0], "محمد", "رضایی"]]
    import_file(write_csv(tmp_path, rows, header=HEADER), actor=dm)
    again = import_file(write_csv(tmp_path, GOOD[:1], name="again.csv"), actor=dm)
    assert again.applied and again.persons_unchanged == 1
    pa = Person.objects.get(person_id="P900001")
    assert (pa.given_name_arabic, pa.family_name_arabic, pa.version) == ("محمد", "رضایی", 1)


def test_a_changed_arabic_script_name_is_one_audited_edit(tmp_path, dm):
    from onward.audit.models import AuditEntry

    import_file(write_csv(tmp_path, [[*GOOD[0], "محمد", "رضایی"]], header=HEADER), actor=dm)
    rows = [[*GOOD[0], "محمد", "رضائی"]]
    result = import_file(write_csv(tmp_path, rows, header=HEADER, name="b.csv"), actor=dm)
    assert result.persons_updated == 1
    edit = AuditEntry.objects.get(action="update", object_id="P900001")
    assert edit.changes == {"family_name_arabic": ["رضایی", "رضائی"]}


def test_the_import_refuses_a_latin_name_in_an_arabic_script_column(tmp_path, dm):
    rows = [[*GOOD[0], "Mohammad", ""], [*GOOD[1], "", ""]]
    result = import_file(write_csv(tmp_path, rows, header=HEADER), actor=dm)
    assert not result.applied and not Person.objects.exists()
    ((row, column, message),) = errors_of(result)
    assert (row, column) == (2, "given_name_arabic") and "Arabic script" in message


def test_the_export_carries_the_arabic_script_names_and_imports_back(client, dm, tmp_path):
    rows = [[*GOOD[0], "محمد", "رضایی"]]
    import_file(write_csv(tmp_path, rows, header=HEADER), actor=dm)
    client.force_login(dm)
    body = b"".join(client.get("/persons/export/", {"format": "csv"}).streaming_content)
    exported = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert exported[0] == list(PERSON_COLUMNS)
    assert exported[1][-2:] == ["محمد", "رضایی"]
    path = tmp_path / "back.csv"
    path.write_bytes(body)
    back = import_file(path, actor=dm)
    assert back.applied and back.persons_unchanged == 1


# --- the person page and the form ---------------------------------------------------------


def test_the_person_page_shows_the_arabic_script_name_isolated_right_to_left(
    client_for, two_scripts
):
    from onward.accounts import roles

    page = client_for(roles.CLERK).get(
        reverse("person_detail", args=[two_scripts["zahra"].person_id])
    )
    text = page.content.decode()
    assert f'<bdi dir="rtl" lang="fa">{GHAFFARZADEH}</bdi>' in text
    assert f'<bdi dir="rtl" lang="fa">{ZAHRA} {GHAFFARZADEH}</bdi>' in text


def test_the_registration_form_takes_the_arabic_script_names(client_for):
    from onward.accounts import roles

    client = client_for(roles.CLERK)
    form = client.get(reverse("case_create")).content.decode()
    assert 'name="given_name_arabic"' in form and 'dir="rtl"' in form
    data = {
        "relationship": "principal",
        "given_name": "Zahra",
        "given_name_arabic": ZAHRA,
        "family_name_arabic": GHAFFARZADEH,
        "sex": "F",
        "birth_date": "1990",
        "confirm_new": "1",
    }
    response = client.post(reverse("case_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(given_name="Zahra")
    assert person.family_name_arabic == GHAFFARZADEH


# --- the API -------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_arabic_script_names(client, users, case):
    from onward.accounts import roles

    client.force_login(users[roles.CLERK])
    pa = case.members.get(relationship="principal")
    url = f"/api/persons/{pa.person_id}/"
    response = client.patch(
        url,
        {"family_name_arabic": "رضایی", "version": pa.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = client.get(url).json()
    assert (body["given_name_arabic"], body["family_name_arabic"]) == ("", "رضایی")
    refused = client.patch(
        url, {"given_name_arabic": "Mohammad", "version": 2}, content_type="application/json"
    )
    assert refused.status_code == 400 and "given_name_arabic" in refused.json()["fields"]
