"""Issue 22: what the pages showed in English inside Arabic and Persian pages: model
choice labels, relationships and specific needs, country names, the API's 404 texts, the
menu's entries."""

import pytest
from django.utils import translation

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements.models import LedgerEntry
from onward.registry import codes
from onward.registry.models import Case, Person
from onward.registry.validation import country_name
from onward.relocation.models import State


def _in(language, value):
    with translation.override(language):
        return str(value)


def test_choice_labels_follow_the_active_language():
    assert _in("en", LedgerEntry.Kind.DECEASED.label) == "Deceased"
    assert _in("fa", LedgerEntry.Kind.DECEASED.label) == "فوت‌شده"  # the glossary's word
    assert _in("ar", LedgerEntry.Kind.DECEASED.label) == "متوفى"
    # The adjective "Open" has its own msgid (context "status"), apart from the verb.
    assert _in("fa", Case.Status.OPEN.label) == "باز"
    assert _in("fa", State.SUBMITTED.label) != "Submitted"
    assert _in("ar", AuditEntry.Action.VIEW.label) == "عُرض"


def test_the_code_lists_are_translated_where_shown_and_stay_english_as_data():
    assert codes.RELATIONSHIPS["spouse"] == "Spouse"  # plain data for the engines
    field = Person._meta.get_field("relationship")
    assert _in("fa", dict(field.choices)["spouse"]) == "همسر"
    assert _in("ar", dict(field.choices)["child"]) == "ابن / ابنة"


def test_country_names_in_the_readers_language():
    assert country_name("DEU", "en") == "Germany"
    assert country_name("DEU", "fa") == "آلمان" and country_name("DEU", "ar") == "ألمانيا"
    with translation.override("fa"):
        assert country_name("AFG") == "افغانستان"
    assert country_name("XXX", "fa") == "XXX"  # not a country: the code as it is


@pytest.mark.django_db
def test_the_apis_404_names_the_record_in_the_readers_language(client_for):
    client = client_for(roles.DATA_MANAGER)
    english = client.get(
        "/api/imports/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    persian = client.get(
        "/api/imports/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT_LANGUAGE="fa"
    ).json()
    assert english == {"error": "No import 00000000-0000-0000-0000-000000000000."}
    assert persian == {
        "error": "ورود داده با شناسهٔ 00000000-0000-0000-0000-000000000000 وجود ندارد."
    }


@pytest.mark.django_db
def test_the_menu_is_in_the_readers_language(client_for, users):
    manager = users[roles.DATA_MANAGER]
    manager.language = "fa"
    manager.save(update_fields=["language"])
    page = client_for(roles.DATA_MANAGER).get("/").content.decode()
    assert "نگهداری داده‌ها" in page and ">Retention<" not in page
