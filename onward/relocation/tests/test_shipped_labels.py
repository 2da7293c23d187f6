"""Issue 22: a managed list's label as shipped reads in the reader's language (it is a
msgid); a label an administrator renamed shows as typed, in every language."""

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from onward.accounts import roles
from onward.interviews.models import AppointmentType
from onward.registry.models import SpecificNeed
from onward.relocation.forms import PledgeForm
from onward.relocation.models import CapacityDimension
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db


def _arabic(language: str, msgid: str) -> str:
    with translation.override(language):
        told = gettext(msgid)
    assert told != msgid and any("\u0600" <= c <= "\u06ff" for c in told)
    return told


def _reader(users, language):
    user = users[roles.RESETTLEMENT]
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_a_shipped_dimension_reads_in_arabic_on_the_pledge_page(client_for, users):
    p = pledge(users, capacities={"medical": 4})
    _reader(users, "ar")
    page = client_for(roles.RESETTLEMENT).get(f"/relocation/pledges/{p.pk}/").content.decode()
    assert escape(_arabic("ar", "Persons (places)")) in page
    assert escape(_arabic("ar", "Medical places")) in page
    assert "Persons (places)" not in page and "Medical places" not in page


def test_a_renamed_dimension_shows_as_typed_in_every_language(client_for, users):
    p = pledge(users, capacities={"medical": 4})
    CapacityDimension.objects.filter(code="medical").update(label="Places with clinic access")
    _reader(users, "ar")
    page = client_for(roles.RESETTLEMENT).get(f"/relocation/pledges/{p.pk}/").content.decode()
    assert "Places with clinic access" in page
    assert escape(_arabic("ar", "Medical places")) not in page
    assert escape(_arabic("ar", "Persons (places)")) in page  # the others still as shipped


def test_the_pledge_forms_choices_and_fields_follow_the_same_rule():
    SpecificNeed.objects.filter(code="DS").update(label="Disability (any)")
    with translation.override("fa"):
        form = PledgeForm()
        needs = dict(form.fields["needs_served"].choices)
        assert needs["SM"] == f"SM – {gettext('Serious medical condition')}"
        assert needs["DS"] == "DS – Disability (any)"
        assert form.fields["capacity_persons"].label == gettext("Capacity: %(dimension)s") % {
            "dimension": gettext("Persons (places)")
        }
        assert form.fields["capacity_persons"].label != "Capacity: Persons (places)"


def test_a_shipped_appointment_type_reads_in_persian_and_a_renamed_one_as_typed():
    counselling = AppointmentType.objects.get(code="counselling")
    with translation.override("fa"):
        assert counselling.shown_label == _arabic("fa", "Counselling") == str(counselling)
    counselling.label = "Psychosocial counselling"
    with translation.override("fa"):
        assert counselling.shown_label == "Psychosocial counselling"
