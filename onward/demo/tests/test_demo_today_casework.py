"""Issues 18 and 19's present-day demo steps, on a small synthetic population (the whole
demo's test, marked slow, checks them on the reference operation): each goes through the
services, leaves the history's figures and the population as they were, and adds nothing
when run again."""

import datetime as dt

import pytest

from onward.composition.demo import demo_split_decision_today
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.interviews.demo import demo_mission_today, interviews_completed_bulk
from onward.movements.demo import demo_medical_hold_today
from onward.relocation import selectors
from onward.relocation.demo import demo_decisions_today, demo_relocation, demo_relocation_today

pytestmark = pytest.mark.django_db

QUIET = {"log": lambda *_: None}


def test_the_present_days_casework_and_split_flight(users):
    from onward.composition.models import CaseChange
    from onward.interviews.models import Mission
    from onward.movements.models import HeldBack, LedgerEntry
    from onward.registry.models import Case, Person
    from onward.relocation.models import InformationRequest, RelocationCase, Submission

    population_load(generate_population(seed=7, persons=700))
    users = {u.username: u for u in users.values()}
    demo_relocation(users=users, record_interviews=interviews_completed_bulk, **QUIET)
    demo_relocation_today(users=users, record_interviews=interviews_completed_bulk, **QUIET)
    history = selectors.funnel(as_of=dt.date(2014, 12, 31))
    persons, cases = Person.objects.count(), Case.objects.count()

    split = demo_split_decision_today(users=users, **QUIET)
    decided = demo_decisions_today(users=users, **QUIET)
    mission = demo_mission_today(users=users, **QUIET)
    hold = demo_medical_hold_today(users=users, **QUIET)

    # The split decision: the accepted members stay, the other is in a case of their own.
    submission = Submission.objects.get(case__case_id=split["case"])
    assert submission.decision == "accepted"
    assert sorted(submission.accepted_members) == sorted(split["accepted"])
    assert CaseChange.objects.get(kind="split").target.case_id == split["split"]
    assert (Person.objects.count(), Case.objects.count()) == (persons, cases + 1)
    # Deferrals and requests: still awaiting a decision; one request answered.
    assert decided["deferred"] and decided["answered"]
    for case_id in decided["deferred"]:
        assert RelocationCase.objects.get(case__case_id=case_id).state == "deferred"
    assert InformationRequest.objects.filter(answered_at__isnull=False).count() == len(
        decided["answered"]
    )
    # The mission: its slots booked, only on submissions awaiting the pledge's decision.
    m = Mission.objects.get(pk=mission["mission"])
    assert m.status == Mission.Status.CONFIRMED and mission["booked"] == m.slots.count() > 0
    assert all(s.appointment_id for s in m.slots.all())
    # The split flight: the others departed once each; the one held back is still here.
    held = HeldBack.objects.get()
    assert held.person.person_id == hold["held"] and held.person.departure_date is None
    flown = held.line.case.members.exclude(pk=held.person_id)
    assert LedgerEntry.objects.filter(kind="relocated", person__in=flown).count() == flown.count()
    assert not LedgerEntry.objects.filter(kind="relocated", person=held.person).exists()
    assert RelocationCase.objects.get(case=held.line.case).state == "accepted"

    # The history's stages as they were. (Only "identified" persons may move: for a case
    # not yet submitted by that date, the funnel counts its members now, and the split and
    # the split flight take members out of two such cases.)
    after = selectors.funnel(as_of=dt.date(2014, 12, 31))
    assert after["identified"]["cases"] == history["identified"]["cases"]
    assert {k: v for k, v in after.items() if k != "identified"} == {
        k: v for k, v in history.items() if k != "identified"
    }
    for step in (
        demo_split_decision_today,
        demo_decisions_today,
        demo_mission_today,
        demo_medical_hold_today,
    ):
        assert step(users=users, **QUIET) == {}, step.__name__
