"""The waits between "identified" and "decided" (issue 18), true for one date, for the
dashboard and the situation report (docs/reports.md, "Waiting and readiness"): cases
pending interview, pending review, returned, deferred and awaiting information on the
date, by receiving country (for the steps after a submission) and by the age of the wait.
Readiness in numbers (issue 19) is `onward.movements.readiness_numbers`.

"On the date" means at its end, by what the records now say: a case's step is the
`to_state` of its latest `CaseTransition` by then; an interview counts once its
appointment (completed) started by then; a review once recommended (and approved) by
then.

Cheap at any size: five queries whatever the number of cases or countries (the latest
transition of every case in one query, then one per kind of record read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from onward.movements.readiness_numbers import end_of
from onward.relocation.selectors import states_on

# The age of a wait, in days since it began: under 30, 30 to 90, over 90.
AGE_BANDS = ("under_30", "30_90", "over_90")
STEPS = ("pending_interview", "pending_review", "returned", "deferred", "info_requested")
# The steps that follow a submission, so have a receiving country.
COUNTRY_STEPS = ("deferred", "info_requested")


# -- issue 18: the waits ---------------------------------------------------------------------


def interviewed_by(case_pks, on: dt.date) -> set[int]:
    """Of those cases, the ones whose resettlement interview is complete at the end of
    `on` (completed, started by then, every member present or excused with a reason: the
    assessment's rule, `relocation.guards.cases_with_complete_interview`, dated)."""
    from django.apps import apps

    pks = list(case_pks)
    if not pks or not apps.is_installed("onward.interviews"):
        return set(pks)
    from onward.interviews.models import Appointment, Attendance

    done = dict(
        Appointment.objects.filter(
            case_id__in=pks,
            type_id="resettlement_interview",
            status="completed",
            start__lte=end_of(on),
        ).values_list("pk", "case_id")
    )
    incomplete = {
        pk
        for pk, present, reason in Attendance.objects.filter(appointment_id__in=done).values_list(
            "appointment_id", "present", "absence_reason"
        )
        if not present and not reason.strip()
    }
    return {case for pk, case in done.items() if pk not in incomplete}


def reviews_by(case_pks, on: dt.date) -> dict[int, tuple[str, bool, dt.datetime]]:
    """{case pk: (recommendation, approved by then, recommended at)} of each case's latest
    review recommended by the end of `on` (one query)."""
    from onward.relocation.models import SubmissionReview

    end = end_of(on)
    latest: dict[int, tuple[str, bool, dt.datetime]] = {}
    for case, recommendation, at, approved_at in (
        SubmissionReview.objects.filter(case_id__in=list(case_pks), recommended_at__lte=end)
        .order_by("recommended_at", "id")
        .values_list("case_id", "recommendation", "recommended_at", "approved_at")
    ):
        latest[case] = (recommendation, approved_at is not None and approved_at <= end, at)
    return latest


@dataclass
class Waits:
    """Per step: the cases waiting, each with the day its wait began and its country
    ("" before a submission)."""

    cases: dict[str, dict[int, tuple[dt.date, str]]] = field(
        default_factory=lambda: {s: {} for s in STEPS}
    )

    def counts(self, on: dt.date, step: str, country: str | None = None) -> dict[str, int]:
        out = dict.fromkeys(AGE_BANDS, 0)
        for since, c in self.cases[step].values():
            if country is None or c == country:
                out[age_band((on - since).days)] += 1
        return out

    def countries(self) -> list[str]:
        return sorted({c for s in COUNTRY_STEPS for _d, c in self.cases[s].values() if c})


def waiting(on: dt.date, *, country: str | None = None) -> Waits:
    """The cases waiting at the end of `on`, by step:

    - pending interview: identified, the resettlement interview not complete (since the
      case was identified);
    - pending review: assessed, and no recommendation yet or one not approved yet (since
      the case was assessed);
    - returned: assessed, the latest recommendation returns the case with comments (since
      that recommendation);
    - deferred: the country deferred its decision (since the deferral);
    - awaiting information: the country asked for more information, not answered yet
      (since it asked).

    `country`: only the cases submitted to that country (a delegation's), so only the
    last two steps. Five queries whatever the number of cases."""
    from onward.relocation.models import Submission

    states = states_on(on, states=("identified", "assessed", "deferred", "info_requested"))
    waits = Waits()
    subs = {s for _st, _at, s in states.values() if s}
    country_of = dict(Submission.objects.filter(pk__in=subs).values_list("pk", "pledge__country"))
    if country is None:
        identified = [c for c, (st, _at, _s) in states.items() if st == "identified"]
        interviewed = interviewed_by(identified, on)
        for c in identified:
            if c not in interviewed:
                waits.cases["pending_interview"][c] = (_local(states[c][1]), "")
        assessed = [c for c, (st, _at, _s) in states.items() if st == "assessed"]
        reviews = reviews_by(assessed, on)
        for c in assessed:
            review = reviews.get(c)
            if review and review[0] == "return":
                waits.cases["returned"][c] = (_local(review[2]), "")
            elif review is None or not review[1]:
                waits.cases["pending_review"][c] = (_local(states[c][1]), "")
    for c, (st, at, sub) in states.items():
        if st in COUNTRY_STEPS:
            where = country_of.get(sub, "")
            if country is None or where == country:
                waits.cases[st][c] = (_local(at), where)
    return waits


def _local(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def age_band(days: int) -> str:
    if days < 30:
        return "under_30"
    return "30_90" if days <= 90 else "over_90"
