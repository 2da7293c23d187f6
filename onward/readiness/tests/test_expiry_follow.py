"""The stored "ready for departure" state follows an expiry with no new fact: the daily
chore (`readiness follow`) and `onward readiness-follow` follow readiness for the cases
whose facts' validity ended since the previous run, and only those."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.readiness import services
from onward.readiness.models import ExpiryFollow
from onward.relocation.models import CaseTransition, RelocationCase, State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db
D0 = timezone.localdate() - dt.timedelta(days=20)


def _state(case):
    return RelocationCase.objects.get(case=case).state


@pytest.fixture
def two_ready_cases(users):
    """Two Albanian cases ready on D0: one whose fitness-to-travel check (valid 3 days)
    was done on D0, one whose check was done on D0 + 2 (and one more far later)."""
    alb = pledge(users)
    services.requirements_seed("ALB", kinds=("fit_to_travel",), fit_to_travel={"valid_days": 3})
    rs = users[roles.RESETTLEMENT]
    soon, later = (
        bring_to(users, make_case(users, size=n), State.ACCEPTED, pledge_=alb, exit_checks=False)
        for n in (2, 1)
    )
    for case, day in ((soon, D0), (later, D0 + dt.timedelta(days=2))):
        services.facts_write(
            rs,
            [
                {"person": p, "kind": "fit_to_travel", "status": "passed", "on": day}
                for p in case.members.all()
            ],
            on=day,
        )
        assert _state(case) == State.READY
    return soon, later


def test_an_expiry_overnight_moves_the_case_back_once_and_audited(two_ready_cases):
    soon, later = two_ready_cases
    first = services.follow_expiries(today=D0 + dt.timedelta(days=2))
    assert first["moved"] == 0 and _state(soon) == State.READY
    # Day D0 + 4: the check of D0 ended with D0 + 3. Only `soon` is looked at.
    before = CaseTransition.objects.count()
    done = services.follow_expiries(today=D0 + dt.timedelta(days=4))
    assert (done["cases"], done["moved"]) == (1, 1)
    assert _state(soon) == State.ACCEPTED and _state(later) == State.READY
    step = CaseTransition.objects.latest("id")
    assert step.action == "unready" and "Fitness to travel expired" in step.reason
    assert CaseTransition.objects.count() == before + 1
    audit = AuditEntry.objects.filter(object_type="case", object_id=soon.case_id).latest("id")
    assert audit.changes == {"relocation_state": ["ready", "accepted"]}
    assert "No longer ready" in audit.detail and "Fitness to travel expired" in audit.detail
    # Twice the same day: nothing found, nothing changed.
    again = services.follow_expiries(today=D0 + dt.timedelta(days=4))
    assert (again["cases"], again["moved"]) == (0, 0)
    assert CaseTransition.objects.count() == before + 1
    # The next days: `later`'s check (D0 + 2) ends with D0 + 5; found on D0 + 6 only.
    assert services.follow_expiries(today=D0 + dt.timedelta(days=5))["cases"] == 0
    done = services.follow_expiries(today=D0 + dt.timedelta(days=6))
    assert (done["cases"], done["moved"]) == (1, 1) and _state(later) == State.ACCEPTED
    assert list(ExpiryFollow.objects.order_by("day").values_list("moved", flat=True)) == [
        0,
        1,
        0,
        1,
    ]


def test_a_first_run_catches_every_expiry_before_it(two_ready_cases):
    soon, later = two_ready_cases
    done = services.follow_expiries(today=D0 + dt.timedelta(days=10))
    assert (done["cases"], done["moved"], done["since"]) == (2, 2, "")
    assert _state(soon) == _state(later) == State.ACCEPTED


def test_the_command_and_the_chore(two_ready_cases):
    from onward.jobs.registry import CHORES

    soon, _later = two_ready_cases
    out = StringIO()
    call_command("readiness-follow", "--on", str(D0 + dt.timedelta(days=4)), stdout=out)
    assert out.getvalue().strip().endswith("1 cases followed since the first run, 1 moved")
    assert _state(soon) == State.ACCEPTED
    with pytest.raises(CommandError, match="not a date"):
        call_command("readiness-follow", "--on", "2026-02-30")
    with pytest.raises(CommandError, match="after today"):
        call_command("readiness-follow", "--on", str(timezone.localdate() + dt.timedelta(days=1)))
    chore = CHORES["readiness follow"]
    assert chore.every == 3600
    assert "'moved'" in chore.run()  # today: the rest of the history, nothing left to move


def test_a_fact_recorded_ahead_makes_the_case_ready_on_its_day(users):
    alb = pledge(users)
    services.requirements_seed("ALB", kinds=("visa",))
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    (a,) = case.members.all()
    services.facts_write(
        users[roles.RESETTLEMENT],
        [{"person": a, "kind": "visa", "status": "passed", "on": D0 + dt.timedelta(days=3)}],
        on=D0,
    )
    assert _state(case) == State.ACCEPTED  # the visa counts from its date
    assert services.follow_expiries(today=D0 + dt.timedelta(days=1))["moved"] == 0
    done = services.follow_expiries(today=D0 + dt.timedelta(days=3))
    assert (done["cases"], done["moved"]) == (1, 1) and _state(case) == State.READY
