"""Identifiers and notes are encrypted in the database; exact lookups go through the blind
index, by POST only; keys rotate without a row becoming unreadable."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.registry import services
from onward.registry.importing import COLUMNS, import_file
from onward.registry.models import Note, Person
from onward.vault import keys
from onward.vault.fields import Unreadable
from onward.vault.keys import new_key_line
from onward.vault.rotation import Column, encrypted_columns, reencrypt

pytestmark = pytest.mark.django_db

DOC, PHONE = "AB-123 4567", "+964 770 123 4567"
DETAIL = "Needs insulin twice a day;\nfollowed by the camp clinic"


def _raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raw_person(person_id: str) -> dict:
    cols = ("document_number", "phone", "needs_detail", "document_number_bidx", "phone_bidx")
    row = _raw(f"SELECT {', '.join(cols)} FROM registry_person WHERE person_id = %s", [person_id])[
        0
    ]
    return dict(zip(cols, row, strict=True))


def _register(clerk, **overrides) -> Person:
    fields = {"document_number": DOC, "phone": PHONE, "needs_detail": DETAIL, **overrides}
    case = services.case_create(actor=clerk, principal=principal_data(**fields))
    return case.members.get()


def test_raw_sql_reads_ciphertext_of_identifiers_and_notes(clerk, users):
    person = _register(clerk)
    services.note_add(
        actor=users[roles.PROTECTION],
        case=person.case,
        text="Threatened at the water point",
        kind=Note.Kind.PROTECTION,
    )
    raw = _raw_person(person.person_id)
    for field, plain in (("document_number", DOC), ("phone", PHONE), ("needs_detail", DETAIL)):
        assert raw[field].startswith("v1:test:"), field
        assert plain not in raw[field] and "4567" not in raw[field]
    [(note_text,)] = _raw("SELECT text FROM registry_note")
    assert note_text.startswith("v1:") and "water" not in note_text
    # The blind indexes are keyed hashes, not the digits.
    assert len(raw["document_number_bidx"]) == 32 and "1234567" not in raw["phone_bidx"]
    # ... and the application reads the plain values.
    person = Person.objects.get(pk=person.pk)
    assert (person.document_number, person.phone, person.needs_detail) == (DOC, PHONE, DETAIL)
    assert Note.objects.get().text == "Threatened at the water point"


def test_blank_stays_blank_so_has_a_phone_is_a_plain_query(case):
    spouse = case.members.get(relationship="spouse")
    assert _raw_person(spouse.person_id)["phone"] == ""
    assert _raw_person(spouse.person_id)["phone_bidx"] == ""
    assert Person.objects.exclude(phone="").count() == 0
    assert Person.objects.filter(document_number="").get() == spouse


def test_comparing_an_encrypted_field_with_a_value_is_an_error_not_an_empty_result(case):
    with pytest.raises(TypeError, match="blind index"):
        list(Person.objects.filter(document_number="X1234567"))


def test_a_value_moved_to_another_column_or_altered_reads_as_a_placeholder(client_for, clerk):
    person = _register(clerk)
    with connection.cursor() as cursor:  # the document's token copied into the phone
        cursor.execute(
            "UPDATE registry_person SET phone = document_number WHERE id = %s", [person.pk]
        )
        raw = _raw_person(person.person_id)["needs_detail"]
        cursor.execute(
            "UPDATE registry_person SET needs_detail = %s WHERE id = %s",
            [raw[:-4] + ("AAAA" if raw[-4:] != "AAAA" else "BBBB"), person.pk],
        )
    person = Person.objects.get(pk=person.pk)
    assert isinstance(person.phone, Unreadable) and "moved from another field" in person.phone
    assert isinstance(person.needs_detail, Unreadable)
    assert person.document_number == DOC
    page = client_for(roles.CLERK).get(reverse("person_detail", args=[person.person_id]))
    assert page.status_code == 200 and "[unreadable: damaged" in page.content.decode()


def test_a_row_under_a_key_not_loaded_shows_which_key_and_survives_a_save(clerk):
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K1")):
        person = _register(clerk)
    stored = _raw_person(person.person_id)
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K2")):
        person = Person.objects.get(pk=person.pk)
        assert person.phone == "[unreadable: key K1 not loaded]"
        person.given_name = "Mohammed"
        person.save()  # a save of another field must not destroy what it cannot read
    after = _raw_person(person.person_id)
    assert (after["phone"], after["phone_bidx"]) == (stored["phone"], stored["phone_bidx"])


def test_the_audit_log_never_holds_the_plain_values(clerk):
    person = _register(clerk)
    services.person_update(
        actor=clerk,
        person=person,
        expected_version=1,
        changes={"phone": "+964 750 000 0000", "document_number": ""},
    )
    created = AuditEntry.objects.get(action="create", object_type="person")
    assert created.changes["document_number"] == ["", "(encrypted)"]
    assert created.changes["needs_detail"] == ["", "(encrypted)"]
    edit = AuditEntry.objects.get(action="update", object_type="person")
    assert edit.changes == {
        "phone": ["(encrypted)", "(encrypted)"],
        "document_number": ["(encrypted)", ""],
    }
    dump = str(list(AuditEntry.objects.values_list("changes", "detail")))
    assert "123 4567" not in dump and "750 000" not in dump and "insulin" not in dump


# --- lookup ----------------------------------------------------------------------------


def test_the_name_search_in_the_url_no_longer_matches_a_document(client_for, clerk):
    person = _register(clerk)
    client = client_for(roles.CLERK)
    page = client.get(reverse("person_list"), {"q": "AB1234567"})
    assert person.person_id not in page.content.decode()
    assert client.get("/api/persons/", {"q": "AB1234567"}).json()["count"] == 0
    # (the person is there: by name and by id)
    assert client.get("/api/persons/", {"q": person.person_id}).json()["count"] == 1


@pytest.mark.parametrize("typed", ["ab1234567", "AB 123-4567", "0770 123 4567", "00964 7701234567"])
def test_the_lookup_page_finds_a_person_from_the_post(client_for, clerk, typed):
    person = _register(clerk)
    other = _register(clerk, given_name="Ali", document_number="ZZ999", phone="")
    client = client_for(roles.RESETTLEMENT)
    response = client.post(reverse("person_lookup"), {"identifier": typed})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert person.person_id in body and other.person_id not in body
    entry = AuditEntry.objects.filter(object_type="person_lookup").get()
    assert entry.path == reverse("person_lookup") and person.person_id in entry.detail
    assert typed not in entry.detail and "4567" not in entry.detail


def test_the_lookup_page_says_when_nothing_matches(client_for, clerk):
    _register(clerk)
    response = client_for(roles.CLERK).post(reverse("person_lookup"), {"identifier": "AB1234568"})
    assert "No person has this document number or phone." in response.content.decode()


def test_the_api_lookup_takes_the_identifier_in_the_body(client_for, clerk):
    person = _register(clerk)
    client = client_for(roles.DATA_MANAGER)
    url = reverse("api_person_lookup")
    found = client.post(url, {"document_number": "ab-1234567"}, content_type="application/json")
    assert [p["person_id"] for p in found.json()] == [person.person_id]
    assert found.json()[0]["document_number"] == DOC
    by_phone = client.post(url, {"phone": "07701234567"}, content_type="application/json")
    assert [p["person_id"] for p in by_phone.json()] == [person.person_id]
    empty = client.post(url, {}, content_type="application/json")
    assert empty.status_code == 400 and "document_number" in empty.json()["fields"]
    assert (
        client.post(url, {"phone": "0770 000 0000"}, content_type="application/json").json() == []
    )


def test_a_merged_duplicate_is_not_found_by_lookup(client_for, clerk):
    person = _register(clerk)
    survivor = _register(clerk, given_name="Muhammad")
    Person.objects.filter(pk=person.pk).update(merged_into=survivor)
    found = (
        client_for(roles.CLERK)
        .post(
            reverse("api_person_lookup"), {"document_number": DOC}, content_type="application/json"
        )
        .json()
    )
    assert [p["person_id"] for p in found] == [survivor.person_id]


def test_needs_detail_through_the_form_and_the_api(client_for, clerk):
    person = _register(clerk, needs_detail="")
    client = client_for(roles.CLERK)
    form = client.get(reverse("person_edit", args=[person.person_id])).content.decode()
    assert 'name="needs_detail"' in form
    response = client.patch(
        f"/api/persons/{person.person_id}/",
        {"needs_detail": "Walks with crutches", "version": 1},
        content_type="application/json",
    )
    assert response.json()["needs_detail"] == "Walks with crutches"
    page = client.get(reverse("person_detail", args=[person.person_id])).content.decode()
    assert "Walks with crutches" in page
    assert "crutches" not in _raw_person(person.person_id)["needs_detail"]
    too_long = client.patch(
        f"/api/persons/{person.person_id}/",
        {"needs_detail": "x" * 2001, "version": 2},
        content_type="application/json",
    )
    assert too_long.status_code == 400 and "needs_detail" in too_long.json()["fields"]


# --- import ----------------------------------------------------------------------------


def test_an_import_writes_ciphertext_and_blind_indexes(tmp_path, users):
    path = tmp_path / "people.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n"
        "P900001,C900001,principal,Sara,Ahmadi,Reza,F,1980,IRN,"
        "K-55 66,+964 750 111 2222,\n",
        encoding="utf-8",
    )
    assert import_file(path, actor=users[roles.DATA_MANAGER]).applied
    raw = _raw_person("P900001")
    # Ciphertext, not the number ("55" alone could turn up in base64 by chance).
    assert raw["document_number"].startswith("v1:") and "K-55 66" not in raw["document_number"]
    assert raw["phone_bidx"]
    assert Person.objects.get(person_id="P900001").phone == "+964 750 111 2222"
    client_for_dm = users[roles.DATA_MANAGER]
    from onward.registry.selectors import person_lookup

    assert [p.person_id for p in person_lookup(user=client_for_dm, document_number="k5566")] == [
        "P900001"
    ]
    assert [p.person_id for p in person_lookup(user=client_for_dm, phone="0750 111 2222")] == [
        "P900001"
    ]


# --- rotation --------------------------------------------------------------------------


def test_rotation_round_trip(clerk, users):
    k1, k2 = new_key_line("K1"), new_key_line("K2")
    with override_settings(ONWARD_FIELD_KEYS=k1):
        person = _register(clerk)
        for name in ("Reza", "Hassan"):  # three rows under K1: batches of 2 and 1 below
            _register(clerk, given_name=name, document_number="", phone="+964 750 000 0000")
        services.note_add(actor=clerk, case=person.case, text="Seen at the clinic")
        old_bidx = _raw_person(person.person_id)["document_number_bidx"]
    with override_settings(ONWARD_FIELD_KEYS=f"{k2},{k1}"):
        # Mid-rotation: old rows read, new writes go under K2, lookups find both.
        person = Person.objects.get(pk=person.pk)
        assert (person.document_number, person.needs_detail) == (DOC, DETAIL)
        other = _register(clerk, given_name="Ali")
        assert _raw_person(other.person_id)["phone"].startswith("v1:K2:")
        from onward.registry.selectors import person_lookup

        assert {p.person_id for p in person_lookup(user=clerk, phone=PHONE)} == {
            person.person_id,
            other.person_id,
        }
        call_command("keys", "reencrypt", "--batch", "2", verbosity=0)
        raw = _raw_person(person.person_id)
        assert all(
            raw[f].startswith("v1:K2:") for f in ("document_number", "phone", "needs_detail")
        )
        assert raw["document_number_bidx"] != old_bidx
        assert _raw("SELECT text FROM registry_note")[0][0].startswith("v1:K2:")
        again = reencrypt(encrypted_columns())
        assert sum(r.rewritten for r in again.values()) == 0  # idempotent
    with override_settings(ONWARD_FIELD_KEYS=k2):  # the old key removed
        person = Person.objects.get(pk=person.pk)
        assert (person.document_number, person.phone, person.needs_detail) == (DOC, PHONE, DETAIL)
        assert Note.objects.get().text == "Seen at the clinic"
        assert {p.person_id for p in person_lookup(user=clerk, document_number=DOC)} == {
            person.person_id,
            other.person_id,
        }
    entry = AuditEntry.objects.get(object_type="field_keys")
    assert entry.object_id == "K2" and entry.changes["registry_person.phone"]["rewritten"] == 3
    assert not [t for (t,) in _raw("SELECT phone FROM registry_person") if t.startswith("v1:K1:")]


def test_reencrypt_leaves_values_under_a_missing_key_and_says_so(clerk, capsys):
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K1")):
        person = _register(clerk)
    stored = _raw_person(person.person_id)
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K2")):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="could not be re-encrypted"):
            call_command("keys", "reencrypt", verbosity=0)
        call_command("keys", "status")
    assert _raw_person(person.person_id) == stored
    out = capsys.readouterr().out
    assert "K1 (not loaded): 1" in out and "Load their keys" in out


def test_plain_values_left_from_before_encryption_are_encrypted_by_reencrypt(case):
    """What migration 0006 does to an existing registry."""
    pa = case.members.get(relationship="principal")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET document_number = %s, "
            "document_number_bidx = '' WHERE id = %s",
            ["X1234567", pa.pk],
        )
    call_command("keys", "status")
    results = reencrypt(
        [Column("registry_person", "document_number", "document_number_bidx", "document")]
    )
    assert results["registry_person.document_number"].rewritten == 1
    raw = _raw_person(pa.person_id)
    assert raw["document_number"].startswith("v1:") and raw["document_number_bidx"]
    assert Person.objects.get(pk=pa.pk).document_number == "X1234567"


def test_keys_generate_prints_a_usable_entry(capsys):
    call_command("keys", "generate", "--kid", "2026a")
    line = capsys.readouterr().out.strip()
    assert keys.parse_keys(line)[0].kid == "2026a"


def test_migration_0006_encrypts_an_existing_registry_and_reverses(case, clerk):
    """The registry as a database migrated up to 0005 holds it: identifiers and notes in
    clear, no blind index. The migration's data step encrypts them and fills the indexes;
    reversed, it puts the clear values back."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    from onward.registry.selectors import person_lookup

    migration = importlib.import_module("onward.registry.migrations.0006_encrypted_identifiers")
    pa = case.members.get(relationship="principal")
    services.note_add(actor=clerk, case=case, text="Seen at the clinic")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET document_number = %s, phone = %s, "
            "document_number_bidx = '', phone_bidx = '' WHERE id = %s",
            ["X1234567", "0770 123 4567", pa.pk],
        )
        cursor.execute("UPDATE registry_note SET text = 'Seen at the clinic'")

        def execute(sql, params=()):
            cursor.execute(sql, params)

        editor = SimpleNamespace(connection=connection, execute=execute)
        migration._forward(apps, editor)
        raw = _raw_person(pa.person_id)
        assert raw["document_number"].startswith("v1:") and raw["phone"].startswith("v1:")
        assert _raw("SELECT text FROM registry_note")[0][0].startswith("v1:")
        assert [p.pk for p in person_lookup(user=clerk, phone="+964 770 123 4567")] == [pa.pk]
        migration._backward(apps, editor)
        assert _raw_person(pa.person_id) == {
            "document_number": "X1234567",
            "phone": "0770 123 4567",
            "needs_detail": "",
            "document_number_bidx": "",
            "phone_bidx": "",
        }
        assert _raw("SELECT text FROM registry_note") == [("Seen at the clinic",)]


def test_an_unreadable_value_sent_back_unchanged_is_kept_and_a_typed_one_refused(client_for, clerk):
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K1")):
        person = _register(clerk)
    stored = _raw_person(person.person_id)
    with override_settings(ONWARD_FIELD_KEYS=new_key_line("K2")):
        client = client_for(roles.CLERK)
        url = reverse("person_edit", args=[person.person_id])
        form = client.get(url).content.decode()
        assert "[unreadable: key K1 not loaded]" in form
        placeholder = "[unreadable: key K1 not loaded]"
        data = {
            "relationship": "principal",
            "given_name": "Mohammed",
            "family_name": "Rezaei",
            "sex": "M",
            "birth_date": "1970-05-12",
            "nationality": "IRN",
            "document_number": placeholder,
            "phone": placeholder,
            "needs_detail": placeholder,
            "version": 1,
        }
        assert client.post(url, data).status_code == 302  # the name corrected
        person = Person.objects.get(pk=person.pk)
        assert person.given_name == "Mohammed" and person.version == 2
        assert _raw_person(person.person_id) == stored
        # The placeholder as a new value (a re-import of an export made without the key).
        with pytest.raises(ValidationError) as refused:
            services.case_create(actor=clerk, principal=principal_data(document_number=placeholder))
        assert "its key is not loaded" in str(refused.value.message_dict["document_number"])
