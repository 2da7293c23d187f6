"""The demo's readiness: the requirements each accepted case meets before it is ready.

Called by the relocation demo where it used to record the three exit checks: the facts
are recorded for every member present, dated as the checks were, and the cases then
follow readiness (accepted -> ready) on their day, through the same workflow engine.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onward.readiness import services
from onward.registry.models import Person
from onward.relocation.models import Submission


def demo_ready(actor, steps: dict) -> None:
    """`steps`: {case: (ready_at, [day each requirement of FORMER_EXIT_CHECKS passed])}."""
    if not steps:
        return
    countries = dict(
        Submission.objects.filter(
            case__in=[c.pk for c in steps], decision=Submission.Decision.ACCEPTED
        ).values_list("case_id", "pledge__country")
    )
    for country in sorted(set(countries.values())):
        services.requirements_seed(country)
    by_case = {c.pk: days for c, (_at, days) in steps.items()}
    rows = []
    for pk, case_id in Person.objects.filter(
        case__in=list(by_case),
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    ).values_list("pk", "case_id"):
        for kind, day in zip(services.FORMER_EXIT_CHECKS, by_case[case_id], strict=True):
            rows.append({"person_id": pk, "kind": kind, "status": "passed", "on": day})
    at = {c.pk: when for c, (when, _days) in steps.items()}
    on: dt.date = max(timezone.localtime(w).date() for w in at.values())
    services.facts_write(actor, rows, on=on, at=at)
