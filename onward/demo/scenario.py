"""Plays the reference operation on the demo population, through each app's own demo
step (which calls that app's services, so every figure is a record like any other): its
dated history (2011–2014), then a present-day state dated from the day it is run, so
that every job of the README's tour can be done today.

Each step is idempotent: running `onward demo` again finds its records and adds nothing.
"""

from collections.abc import Callable

from onward.accounts.models import User
from onward.composition.demo import demo_split_decision_today
from onward.consent.demo import demo_consents, demo_consents_today
from onward.documents.demo import demo_documents
from onward.incidents.demo import demo_incidents
from onward.interviews.demo import demo_mission_today, interviews_completed_bulk
from onward.movements.demo import (
    demo_medical_hold_today,
    demo_movements,
    demo_transfer_next_week,
)
from onward.presence.demo import demo_camp
from onward.relocation.demo import (
    demo_decisions_today,
    demo_relocation,
    demo_relocation_today,
)


def demo_dedup(*, users, log=print) -> dict:
    """Files the planted re-registrations for review, as a data manager's run would."""
    from onward.dedup.models import DuplicatePair
    from onward.dedup.services import dedup_run_registry

    if DuplicatePair.objects.exists():
        return {}
    summary = dedup_run_registry(actor=users["datamanager"])
    log(f"Duplicates: {summary['pairs_filed_for_review']} pairs filed for review.")
    return summary


def demo_relocation_history(*, users, log=print) -> dict:
    """The relocation history, each case interviewed before its assessment."""
    return demo_relocation(users=users, record_interviews=interviews_completed_bulk, log=log)


def demo_relocation_present(*, users, log=print) -> dict:
    return demo_relocation_today(users=users, record_interviews=interviews_completed_bulk, log=log)


# (what, step), in the order the operation happened to depend on them: transfers need
# accepted cases, victims need residents present. Every step takes the demo users by
# username and a log, and returns what it made ({} when it finds its records already).
STEPS: list[tuple[str, Callable[..., dict]]] = [
    ("consent: adults' consents to the pledging countries", demo_consents),
    ("relocation: pledges, interviews, reviews, submissions, decisions", demo_relocation_history),
    ("movements: departures and transfers", demo_movements),
    ("incidents and their claims", demo_incidents),
    (
        "camp: blocks and units, card scans, the roll calls after the attack and the escape",
        demo_camp,
    ),
    ("duplicate detection over the registry", demo_dedup),
    # The present day (after the duplicates: a case with one unresolved waits for it).
    ("today: pledges open now, cases waiting, decisions due", demo_relocation_present),
    ("today: a transfer planned for next week", demo_transfer_next_week),
    # Issue 18's present day: the answers countries give besides accept and reject, then
    # Albania's selection mission over the submissions still awaiting its decision.
    ("today: a split decision, the members not accepted split off", demo_split_decision_today),
    ("today: deferrals and requests for more information", demo_decisions_today),
    ("today: Albania's selection mission, its schedule booked", demo_mission_today),
    # After every submission: the documents date from them, the withdrawal flags one.
    ("documents: an RRF for every submitted case", demo_documents),
    ("today: dossiers, consents expiring, one withdrawal", demo_consents_today),
    # Last: its departures come after the consents were chosen (issue 19's split flight).
    ("today: a family flies split, one member on a medical hold", demo_medical_hold_today),
]


def scenario_play(*, log: Callable[[str], None] = print) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    for what, step in STEPS:
        log(f"Playing {what} …")
        step(users=users, log=log)


def _demo_usernames() -> list[str]:
    from onward.demo.users import DEMO_USERS

    return [username for username, *_ in DEMO_USERS]
