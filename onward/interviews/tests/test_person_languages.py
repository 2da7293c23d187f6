"""Languages spoken (with level) and "interpreter needed" with the language, recorded on
the person page by the roles that edit persons, audited, and shown on the call list."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.interviews import services
from onward.interviews.models import AppointmentType, InterpreterNeed, PersonLanguage
from onward.relocation.tests.factories import make_case

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)


def _person(users):
    return make_case(users, size=1).members.get()


def _post(client, name, person, **data):
    return client.post(reverse(name, args=[person.person_id]), data, follow=True)


def test_a_clerk_records_languages_and_the_interpreter_need_from_the_person_page(client, users):
    person = _person(users)
    client.force_login(users[roles.CLERK])
    page = client.get(reverse("person_detail", args=[person.person_id])).content.decode()
    assert 'id="language-form"' in page and 'id="interpreter-form"' in page
    page = _post(client, "person_language", person, language="FA", level="native")
    page = _post(client, "person_language", person, language="en", level="basic")
    page = _post(client, "person_interpreter", person, language="prs").content.decode()
    assert list(person.languages.values_list("language", "level")) == [
        ("en", "basic"),
        ("fa", "native"),
    ]
    assert InterpreterNeed.objects.get(person=person).language == "prs"
    assert "Interpreter needed into prs." in page and "<bdi>prs</bdi>" in page
    assert "<bdi>fa</bdi> · Native" in page
    # The same language again changes its level (one level per language).
    _post(client, "person_language", person, language="en", level="good")
    assert person.languages.get(language="en").level == "good"
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.UPDATE, object_type="person", object_id=person.person_id
    ).order_by("id")
    assert [e.detail for e in entries] == [
        "language spoken: fa (native)",
        "language spoken: en (basic)",
        "interpreter needed: prs",
        "language spoken: en (good)",
    ]
    assert entries.last().changes == {
        "languages": ["en (basic), fa (native)", "en (good), fa (native)"]
    }


def test_removing_a_language_and_the_interpreter_need_is_audited(client, users):
    person = _person(users)
    client.force_login(users[roles.PROTECTION])
    _post(client, "person_language", person, language="ar", level="fluent")
    _post(client, "person_interpreter", person, language="ar")
    _post(client, "person_language", person, language="ar", remove="1")
    page = _post(client, "person_interpreter", person, none="1").content.decode()
    assert not PersonLanguage.objects.filter(person=person).exists()
    assert not InterpreterNeed.objects.filter(person=person).exists()
    assert "No interpreter needed." in page
    changes = [
        e.changes
        for e in AuditEntry.objects.filter(
            action=AuditEntry.Action.UPDATE, object_id=person.person_id
        ).order_by("id")
    ]
    assert changes[-2:] == [{"languages": ["ar (fluent)", ""]}, {"interpreter_need": ["ar", ""]}]


def test_a_bad_code_or_level_is_refused_naming_it_and_nothing_is_written(client, users):
    person = _person(users)
    client.force_login(users[roles.CLERK])
    page = _post(client, "person_language", person, language="Persian", level="fluent")
    assert "Refused: &#x27;persian&#x27; is not a language code" in page.content.decode()
    page = _post(client, "person_language", person, language="fa", level="perfect")
    assert "Refused: Choose the level" in page.content.decode()
    page = _post(client, "person_interpreter", person, language="x1")
    assert "is not a language code" in page.content.decode()
    assert not PersonLanguage.objects.exists() and not InterpreterNeed.objects.exists()
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.UPDATE, object_id=person.person_id
    ).exists()


def test_roles_that_do_not_edit_persons_see_the_languages_without_the_forms(client, users):
    person = _person(users)
    services.person_language_set(
        actor=users[roles.CLERK], person=person, language="ps", level="good"
    )
    client.force_login(users[roles.RESETTLEMENT])  # registry.view, not registry.edit
    page = client.get(reverse("person_detail", args=[person.person_id])).content.decode()
    assert "<bdi>ps</bdi> · Good" in page and 'id="language-form"' not in page
    assert _post(client, "person_language", person, language="fa").status_code == 403
    with pytest.raises(PermissionDenied):
        services.person_interpreter_need_set(
            actor=users[roles.RESETTLEMENT], person=person, language="fa"
        )


def test_a_removed_person_is_refused(users):
    from onward.registry import services as registry

    person = make_case(users, size=2).members.order_by("person_id").last()
    registry.person_remove(
        actor=users[roles.ADMIN],
        person=person,
        expected_version=person.version,
        reason="registered twice",
    )
    person.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.person_language_set(
            actor=users[roles.ADMIN], person=person, language="fa", level="fluent"
        )
    assert "removed" in str(err.value)


def test_the_call_list_shows_the_languages_spoken_and_the_interpreter_needed(client, users):
    case = make_case(users, size=2)
    principal, child = case.members.order_by("person_id")
    clerk = users[roles.CLERK]
    services.person_language_set(actor=clerk, person=principal, language="prs", level="native")
    services.person_language_set(actor=clerk, person=principal, language="en", level="basic")
    services.person_interpreter_need_set(actor=clerk, person=principal, language="prs")
    start = timezone.make_aware(dt.datetime.combine(DAY, dt.time(9)))
    services.book(
        type=AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=case,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(f"{reverse('interview_calls')}?on={DAY.isoformat()}").content.decode()
    assert "<bdi>en</bdi> (basic), <bdi>prs</bdi> (native)" in page
    assert "No interpreter for: <bdi>prs</bdi>" in page
    assert ">Speaks<" in page and ">Interpreter needed<" in page
