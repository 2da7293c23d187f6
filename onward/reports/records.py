"""The records behind a figure, within the user's scope; every such list is audited.

`records(user=, figure=, on=, filters=)` returns (kind, queryset): persons, departures
(ledger entries), cases, pairs or incidents. Everything starts from the policy's
visible_* querysets; a delegation reaches only its own country's submitted cases and
their members' shared fields, never the registry, duplicates or incidents.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.reports import figures as F

FILTER_KEYS = (
    "sex",
    "age_band",
    "need",
    "nationality",
    "kind",
    "month",
    "since",
    "stage",
    "country",
    "pledge",
    "measure",
    "state",
    "incident",
    "block",
)


class Unknown(Exception):
    """A figure this user may not see, or that does not exist (the same answer)."""


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(f"{month}-01")
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def records(*, user, figure: str, on: dt.date, filters: dict) -> tuple[str, QuerySet]:
    sections = F.sections_for(user)
    f = {k: v for k, v in filters.items() if k in FILTER_KEYS and v}
    kind, qs = _records(user, figure, on, f, sections)
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="figure",
        object_id=figure[:64],
        detail=" ".join([f"as_of={on}", *(f"{k}={v}" for k, v in sorted(f.items()))]),
    )
    return kind, qs


def _records(user, figure, on, f, sections):
    if figure == "population" and "population" in sections:
        persons = F.filter_persons(
            F.present_persons(on),
            on,
            sex=f.get("sex", ""),
            age_band=f.get("age_band", ""),
            need=f.get("need", ""),
            nationality=f.get("nationality", ""),
        )
        visible = policy.visible_persons(user)
        return "persons", persons.filter(pk__in=visible.values("pk")).select_related(
            "case"
        ).order_by("person_id").distinct()
    if figure == "submitted" and "submitted" in sections:
        persons = F.filter_persons(
            F.submitted_persons(user, on),
            on,
            sex=f.get("sex", ""),
            age_band=f.get("age_band", ""),
            need=f.get("need", ""),
            nationality=f.get("nationality", ""),
        )
        persons = persons.filter(case__in=policy.visible_cases(user))
        return "shared_persons", persons.select_related("case").order_by(
            "case__case_id", "person_id"
        ).distinct()
    if figure == "departures" and "departures" in sections:
        from onward.movements.ledger import DEPARTURE_KINDS
        from onward.movements.models import LedgerEntry

        entries = LedgerEntry.objects.filter(
            kind__in=DEPARTURE_KINDS, reversed_by__isnull=True, date__lte=on
        )
        if f.get("kind"):
            entries = entries.filter(kind=f["kind"])
        if f.get("month"):
            try:
                start, end = _month_bounds(f["month"])
            except ValueError as exc:
                raise Unknown(figure) from exc
            entries = entries.filter(date__gte=start, date__lte=min(end, on))
        if f.get("since"):
            try:
                entries = entries.filter(date__gte=dt.date.fromisoformat(f["since"]))
            except ValueError as exc:
                raise Unknown(figure) from exc
        entries = (
            entries.filter(person__in=policy.visible_persons(user).values("pk"))
            if not policy.can(user, "registry.view")
            else entries
        )
        return "departures", entries.select_related("person", "person__case").order_by(
            "-date", "person__person_id"
        )
    if figure in ("funnel", "pledge_use") and "relocation" in sections:
        pledge = None
        if f.get("pledge"):
            try:
                pledge = policy.visible_pledges(user).get(pk=int(f["pledge"]))
            except Exception as exc:
                raise Unknown(figure) from exc
        country = f.get("country") or None
        if F.is_delegation(user):
            if country and country != user.country:
                raise Unknown(figure)
            country = user.country if pledge is None else None
        if figure == "funnel":
            stage = f.get("stage", "")
            if stage not in F.STAGES:
                raise Unknown(figure)
            pks = F.funnel_cases(country=country, pledge=pledge, as_of=on, stage=stage)
        else:
            if pledge is None or f.get("measure") not in (
                "submitted",
                "pending",
                "accepted",
                "departed",
            ):
                raise Unknown(figure)
            pks = F.pledge_use(pledge, on)[1][f["measure"]]
        return "cases", policy.visible_cases(user).filter(pk__in=pks).order_by("case_id")
    if figure == "duplicates" and "duplicates" in sections:
        state = f.get("state", "found")
        return "pairs", F.duplicate_pairs(on, state).select_related(
            "person_a", "person_b"
        ).order_by("found_at", "id")
    if figure == "incidents" and "incidents" in sections:
        from onward.incidents.selectors import visible_incidents

        incidents = visible_incidents(user).filter(occurred_at__lte=F.end_of(on))
        if f.get("incident"):
            incidents = (
                incidents.filter(pk=f["incident"])
                if str(f["incident"]).isdigit()
                else incidents.none()
            )
        return "incidents", incidents.prefetch_related("claims").order_by("occurred_at")
    if figure.startswith("camp_") and "camp" in sections:
        return _camp_records(user, figure.removeprefix("camp_"), on, f)
    raise Unknown(figure)


def _camp_records(user, measure, on, f):
    """The residents (or units) behind a camp figure, as of the same date, for one block
    or all: the queries `onward.presence.numbers` counts, so the list has the figure's
    length (a test checks it)."""
    from onward.camp.models import Block
    from onward.presence import numbers
    from onward.presence.rules import not_seen_days

    block_id = None
    if f.get("block"):
        if not str(f["block"]).isdigit() or not Block.objects.filter(pk=f["block"]).exists():
            raise Unknown(f"camp_{measure}")
        block_id = int(f["block"])
    if measure == "vacancies":
        return "units", numbers.units_with_vacancies(on, block_id=block_id)
    if measure not in numbers.MEASURES:
        raise Unknown(f"camp_{measure}")
    allocations = numbers.residents_behind(measure, on, days=not_seen_days(), block_id=block_id)
    return "residents", allocations.filter(person__in=policy.visible_persons(user).values("pk"))
