"""The demo's split decision (issue 18, Handbook 4.10): under the Albanian pledge open
now, the delegation accepts some members of a case and not the others, who stay; the
officer then splits them off into a case of their own (the one composition a case under
an open submission allows), so that the accepted members can travel and the others can
be submitted again. Through `relocation.services.submission_decide` and
`composition.services.case_split`, dated back from the day the demo is loaded.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.composition import services
from onward.composition.models import CaseChange
from onward.registry.models import Person
from onward.relocation import services as relocation
from onward.relocation.models import Pledge, Submission

SPLIT_REASON = (
    "Albania's split decision accepted the others: these members stay for another submission"
)


def _user(users: dict, role: str, country: str = ""):
    for user in users.values():
        if user.role == role and (not country or user.country == country):
            return user
    return next(u for u in users.values() if u.role == roles.ADMIN)


@transaction.atomic
def demo_split_decision_today(*, users, today: dt.date | None = None, log=print) -> dict:
    """The first pending Albanian submission (by case id) of a case of three or more
    under the pledge open now: its principal applicant and all but the last other member
    accepted; the last one split off. Adds nothing when a split exists already or when
    the present day was not played."""
    from onward.relocation.demo import PRESENT_NOTE

    pledge = Pledge.objects.filter(notes=PRESENT_NOTE, country="ALB").first()
    if pledge is None or CaseChange.objects.filter(kind=CaseChange.Kind.SPLIT).exists():
        return {}
    today = today or timezone.localdate()
    chosen = None
    for submission in (
        Submission.objects.filter(pledge=pledge, decision="", case__relocation__state="submitted")
        .select_related("case")
        .order_by("case__case_id")
    ):
        members = list(
            Person.objects.filter(
                case=submission.case,
                merged_into__isnull=True,
                removed_at__isnull=True,
                departure_date__isnull=True,
            ).order_by("person_id")
        )
        others = [p for p in members if p.relationship != "principal"]
        if len(members) >= 3 and others:
            chosen = submission, members, others[-1]
            break
    if chosen is None:
        log("Today: no pending Albanian case of three or more for a split decision.")
        return {}
    submission, members, left = chosen
    delegation = _user(users, roles.DELEGATION, "ALB")
    officer = _user(users, roles.RESETTLEMENT)
    accepted = [p.person_id for p in members if p.pk != left.pk]
    relocation.submission_decide(
        actor=delegation,
        submission=submission,
        decision="accepted",
        members=accepted,
        at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=8), dt.time(11))),
    )
    change = services.case_split(
        actor=officer,
        case=submission.case,
        persons=[left],
        principal=left,
        reason=SPLIT_REASON,
        at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=6), dt.time(10))),
    )
    log(
        f"Today: Albania accepted {len(accepted)} of {len(members)} members of "
        f"{submission.case.case_id}; {left.person_id} split off into {change.target.case_id}."
    )
    return {"case": submission.case.case_id, "accepted": accepted, "split": change.target.case_id}
