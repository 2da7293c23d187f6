"""The presence task rules: a carded resident not seen for N days, a missing resident."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.presence import services
from onward.presence.tests.factories import camp_with, incident
from onward.tasks.models import Task
from onward.tasks.rules import RULES
from onward.tasks.services import refresh

pytestmark = pytest.mark.django_db


def test_the_rules_are_in_the_registry():
    assert {"resident not seen", "missing after roll call"} <= set(RULES)


def test_a_carded_resident_not_seen_for_n_days_makes_one_task(users, settings):
    settings.PRESENCE_NOT_SEEN_DAYS = 7
    _, housed = camp_with(users, blocks=("A",), per_block=3)
    clerk = users[roles.CLERK]
    away, here, uncarded = housed["A"]
    for p in (away, here):
        services.card_issue(actor=clerk, person=p)
    now = timezone.now()
    services.presence_record(
        actor=clerk, checkpoint="Gate", person=away, method="manual", at=now - dt.timedelta(days=9)
    )
    services.presence_record(actor=clerk, checkpoint="Gate", person=here, method="manual", at=now)
    today = timezone.localdate()
    assert refresh(today=today)["resident not seen"] == {"opened": 1, "ended": 0}
    task = Task.objects.get(rule="resident not seen")
    assert task.subject_id == away.pk and task.assigned_role == roles.PROTECTION
    assert away.given_name not in task.title and away.person_id in task.title
    # seen again: the condition ends
    services.presence_record(actor=clerk, checkpoint="Gate", person=away, method="manual")
    assert refresh(today=today)["resident not seen"] == {"opened": 0, "ended": 1}


def test_a_resident_missing_after_a_roll_call_stays_on_the_list_until_seen(users):
    blocks, housed = camp_with(users, blocks=("A",), per_block=2)
    officer = users[roles.PROTECTION]
    roll = services.rollcall_open(
        actor=officer,
        blocks=[blocks["A"]],
        reason="incident",
        incident=incident(users),
        on=timezone.localdate(),
    )
    missing = housed["A"][0]
    services.rollcall_mark(actor=officer, roll_call=roll, person=missing, status="missing")
    today = timezone.localdate()
    assert refresh(today=today)["missing after roll call"]["opened"] == 1
    assert Task.objects.get(rule="missing after roll call").subject_id == missing.pk
    services.presence_record(actor=officer, checkpoint="Gate", person=missing, method="manual")
    assert refresh(today=today)["missing after roll call"]["ended"] == 1
