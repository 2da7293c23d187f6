"""Tasks made by rules: a re-run never duplicates an open task, and ends what is over."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from onward.accounts import roles
from onward.incidents.models import ProtectionRequest
from onward.relocation.tests.factories import pledge
from onward.tasks.models import Task
from onward.tasks.rules import RULES
from onward.tasks.services import refresh

TODAY = dt.date(2026, 12, 2)


def _request(follow_up_on):
    return ProtectionRequest.objects.create(
        authority="Police", request="Patrol the site", requested_on=TODAY, follow_up_on=follow_up_on
    )


def _tasks(rule="protection follow-up"):
    return list(Task.objects.filter(rule=rule).values_list("subject_id", "state"))


def test_the_registry_holds_the_four_rules():
    assert {
        "submission waiting",
        "protection follow-up",
        "merge review",
        "pledge ending",
    } <= set(RULES)


@pytest.mark.django_db
def test_a_follow_up_date_that_has_come_makes_one_task_however_often_the_rules_run():
    due, later = _request(TODAY), _request(TODAY + dt.timedelta(days=3))
    assert refresh(today=TODAY)["protection follow-up"] == {"opened": 1, "ended": 0}
    assert refresh(today=TODAY)["protection follow-up"] == {"opened": 0, "ended": 0}
    assert _tasks() == [(due.pk, "open")]
    task = Task.objects.get()
    assert task.assigned_role == roles.PROTECTION and task.due == TODAY
    assert later.pk not in [pk for pk, _ in _tasks()]


@pytest.mark.django_db
def test_a_task_whose_condition_ended_is_ended_not_left_open():
    req = _request(TODAY)
    refresh(today=TODAY)
    req.status = ProtectionRequest.Status.DONE
    req.save()
    assert refresh(today=TODAY)["protection follow-up"] == {"opened": 0, "ended": 1}
    assert _tasks() == [(req.pk, "ended")]


@pytest.mark.django_db
def test_a_done_task_is_not_reopened_while_its_condition_holds_but_comes_back_after_it_ended():
    req = _request(TODAY)
    refresh(today=TODAY)
    Task.objects.update(state=Task.State.DONE, closed_at=timezone.now())
    refresh(today=TODAY)
    assert _tasks() == [(req.pk, "done")]
    # a new follow-up date in the future: the condition ends; when it comes, a new task
    req.follow_up_on = TODAY + dt.timedelta(days=7)
    req.save()
    refresh(today=TODAY)
    assert refresh(today=TODAY + dt.timedelta(days=7))["protection follow-up"]["opened"] == 1
    assert sorted(s for _, s in _tasks()) == ["done", "open"]


@pytest.mark.django_db
def test_a_pledge_ending_within_30_days_with_places_left_makes_a_task(users):
    p = pledge(users, valid_to=str(TODAY + dt.timedelta(days=20)))
    far = pledge(users, country="CAN", valid_to=str(TODAY + dt.timedelta(days=90)))
    refresh(today=TODAY)
    assert _tasks("pledge ending") == [(p.pk, "open")]
    assert far.pk not in [pk for pk, _ in _tasks("pledge ending")]


@pytest.mark.django_db
def test_the_command_runs_the_rules_and_refuses_an_unknown_action(capsys):
    _request(timezone.localdate())
    call_command("tasks", "refresh")
    assert "protection follow-up: 1 opened, 0 ended" in capsys.readouterr().out
    with pytest.raises(CommandError, match="unknown action 'refrsh'"):
        call_command("tasks", "refrsh")
