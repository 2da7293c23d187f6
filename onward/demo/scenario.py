"""Plays the reference operation on the demo population, through each app's own demo
step (which calls that app's services, so every figure is a record like any other): its
dated history (2011–2014), then a present-day state dated from the day it is run, so
that every job of the README's tour can be done today.

Each step is idempotent: running `onward demo` again finds its records and adds nothing.
"""

import inspect
from collections.abc import Callable
from importlib import import_module

from onward.accounts.models import User

# (what, "module:function"), in the order the operation happened to depend on them:
# transfers need accepted cases, victims need residents present.
STEPS = [
    ("relocation: pledges, submissions, decisions", "onward.relocation.demo:demo_relocation"),
    ("movements: departures and transfers", "onward.movements.demo:demo_movements"),
    ("incidents and their claims", "onward.incidents.demo:demo_incidents"),
    ("duplicate detection over the registry", "onward.demo.scenario:demo_dedup"),
    # The present day (after the duplicates: a case with one unresolved waits for it).
    ("today: pledges open now, cases waiting, decisions due",
     "onward.relocation.demo:demo_relocation_today"),
    ("today: a transfer planned for next week", "onward.movements.demo:demo_transfer_next_week"),
]


def scenario_play(*, log: Callable[[str], None] = print) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    for what, target in STEPS:
        module, _, name = target.partition(":")
        log(f"Playing {what} …")
        step = getattr(import_module(module), name)
        kwargs = {"users": users}
        if "log" in inspect.signature(step).parameters:
            kwargs["log"] = log
        step(**kwargs)


def demo_dedup(*, users, log=print) -> dict:
    """Files the planted re-registrations for review, as a data manager's run would."""
    from onward.dedup.models import DuplicatePair
    from onward.dedup.services import dedup_run_registry

    if DuplicatePair.objects.exists():
        return {}
    summary = dedup_run_registry(actor=users["datamanager"])
    log(f"Duplicates: {summary['pairs_filed_for_review']} pairs filed for review.")
    return summary


def _demo_usernames() -> list[str]:
    from onward.demo.users import DEMO_USERS

    return [username for username, *_ in DEMO_USERS]
