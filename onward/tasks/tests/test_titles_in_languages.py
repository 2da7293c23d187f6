"""Issue 22: a task's title is kept by code and parameters beside its English text, and
shown in its reader's language on My tasks; a task written before the codes shows its
English title; a digest is written in its recipient's language."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from onward.accounts import roles
from onward.incidents.models import ProtectionRequest
from onward.refusals import render
from onward.relocation.tests.factories import pledge
from onward.tasks import digests
from onward.tasks.models import Task
from onward.tasks.rules import PLEDGE_ENDING, PROTECTION_FOLLOW_UP
from onward.tasks.services import refresh

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)
LRI, PDI = "\u2066", "\u2069"


def _arabic_script(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _in(language: str, code: str, **params) -> str:
    """The title of `code` in `language` (the catalog's text, its parameters filled)."""
    with translation.override(language):
        return render(code, params)


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _follow_up_task() -> Task:
    request = ProtectionRequest.objects.create(
        authority="Police", request="Patrol the site", requested_on=TODAY, follow_up_on=TODAY
    )
    refresh(today=TODAY)
    return Task.objects.get(rule="protection follow-up", subject_id=request.pk)


def test_a_rule_keeps_the_title_by_code_and_parameters_beside_the_english_text(users):
    task = _follow_up_task()
    assert task.title_code == "task.protection_follow_up"
    assert task.title_params == {"id": task.subject_id}
    assert task.title == f"Follow up protection request {task.subject_id}"


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_my_tasks_shows_a_rules_title_in_the_readers_language(client_for, users, language):
    task = _follow_up_task()
    _speaks(users[roles.PROTECTION], language)
    html = client_for(roles.PROTECTION).get("/tasks/").content.decode()
    told = _in(language, PROTECTION_FOLLOW_UP, id=f"{LRI}{task.subject_id}{PDI}")
    assert _arabic_script(told) and str(task.subject_id) in told
    assert told in html
    assert task.title not in html


@pytest.mark.parametrize("language", ["en", "ar", "fa"])
def test_my_tasks_names_the_subjects_kind_in_the_readers_words_not_its_code(
    client_for, users, language
):
    task = _follow_up_task()
    _speaks(users[roles.PROTECTION], language)
    html = client_for(roles.PROTECTION).get("/tasks/").content.decode()
    with translation.override(language):
        kind = translation.pgettext("task subject", "Protection request")
    row = html[html.index(f'id="task-{task.pk}"') :]
    assert f'{kind} <bdi class="mono">{task.subject_id}</bdi>' in row
    assert "protection_request" not in html
    assert _arabic_script(kind) == (language != "en")


def test_a_date_in_a_title_is_iso_text_in_the_readers_language(client_for, users):
    p = pledge(users, valid_to=str(TODAY + dt.timedelta(days=20)))
    refresh(today=TODAY)
    task = Task.objects.get(rule="pledge ending")
    assert task.title_params == {"id": p.pk, "on": "2026-12-22"}
    _speaks(users[roles.RESETTLEMENT], "fa")
    html = client_for(roles.RESETTLEMENT).get("/tasks/").content.decode()
    assert _in("fa", PLEDGE_ENDING, id=f"{LRI}{p.pk}{PDI}", on=f"{LRI}2026-12-22{PDI}") in html


def test_a_task_written_before_the_codes_shows_its_english_title(client_for, users):
    old = Task.objects.create(
        rule="protection follow-up",
        subject_type="protection_request",
        subject_id=77,
        title="Follow up protection request 77",
        assigned_role=roles.PROTECTION,
        due=TODAY,
        created_at=timezone.now(),
    )
    _speaks(users[roles.PROTECTION], "ar")
    html = client_for(roles.PROTECTION).get("/tasks/").content.decode()
    assert f'id="task-{old.pk}"' in html
    assert "Follow up protection request 77" in html
    # An unknown code (a rule since removed) shows the stored English text too.
    Task.objects.filter(pk=old.pk).update(title_code="task.gone", title_params={"id": 77})
    with translation.override("ar"):
        assert Task.objects.get(pk=old.pk).shown_title == "Follow up protection request 77"


def test_a_digest_is_written_in_the_recipients_language(users, smtp_server):
    officer = _speaks(users[roles.PROTECTION], "ar")
    officer.email = "officer@onward.example"
    officer.save(update_fields=["email"])
    task = _follow_up_task()
    digests.preference_set(user=officer, frequency="daily", rules=[])
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    with translation.override("en"):  # the worker's language does not matter
        assert digests.send_digests(now=now)["sent"] == 1
    [(_to, msg)] = smtp_server.messages
    text, subject = msg.get_body().get_content(), str(msg["Subject"])
    assert _arabic_script(subject) and "open tasks" not in subject
    assert f"T{task.pk}" in text
    with translation.override("ar"):
        kind = gettext("protection follow-up")
        my_tasks = gettext("My tasks: %(link)s") % {"link": "https://onward.example/tasks/"}
        subject = translation.pgettext("task subject", "Protection request")
    assert _arabic_script(kind) and kind in text
    assert f"{subject} {task.subject_id}" in text and "protection_request" not in text
    assert my_tasks in text
    # Still no title, no name: the digest names the task's kind, never what it is about.
    assert _in("ar", PROTECTION_FOLLOW_UP, id=task.subject_id) not in text
    assert task.title not in text


def test_a_digest_to_a_user_following_the_browser_is_in_the_sites_language(users):
    officer = users[roles.PROTECTION]
    assert officer.language == ""
    with translation.override("fa"):
        assert digests.recipient_language(officer) == "en"
    assert digests.recipient_language(_speaks(officer, "fa")) == "fa"
