"""Reads of the movements app: the population on a date, the monthly series, the ledger's
entries, departures and transfers. Lists that show persons are audited like the
registry's lists; the figures (counts only) are not."""

import datetime as dt

from django.db.models import Q, QuerySet

from onward.accounts.policy import can, get_for_user
from onward.audit.services import audit_read, audit_record
from onward.movements import rollup
from onward.movements.ledger import population
from onward.movements.models import LedgerEntry, ReportedDeparture, Transfer


def _audit_list(user, object_type: str, filters: dict) -> None:
    shown = {k: v for k, v in filters.items() if v}
    audit_record(
        actor=user,
        action="view",
        object_type=object_type,
        detail=" ".join(f"{k}={v}" for k, v in shown.items()) or "all",
    )


def population_page(*, on: dt.date, months: int = 12) -> dict:
    """The population on `on` with its breakdowns, and the monthly series of the
    `months` months up to it."""
    start = (on.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    return {
        "population": population(on=on),
        "series": rollup.rollup_monthly_series(start, on),
        "age_labels": rollup.age_band_labels(),
    }


def ledger_entries(
    *, user, kind: str = "", person: str = "", date_from=None, date_to=None
) -> QuerySet:
    if not can(user, "movements.view"):
        return LedgerEntry.objects.none()
    _audit_list(user, "ledger", {"kind": kind, "person": person, "from": date_from, "to": date_to})
    entries = LedgerEntry.objects.select_related(
        "person", "person__case", "recorded_by", "reverses"
    )
    if kind:
        entries = entries.filter(kind=kind)
    if person:
        entries = entries.filter(
            Q(person__person_id__iexact=person) | Q(person__case__case_id__iexact=person)
        )
    if date_from:
        entries = entries.filter(date__gte=date_from)
    if date_to:
        entries = entries.filter(date__lte=date_to)
    return entries.order_by("-date", "-id")


def departures(*, user, kind: str = "", year: int | None = None) -> QuerySet:
    """Departure entries that stand (not reversed), newest first."""
    from onward.movements.ledger import DEPARTURE_KINDS

    entries = ledger_entries(user=user, kind=kind).filter(
        kind__in=DEPARTURE_KINDS, reversed_by__isnull=True
    )
    if year:
        entries = entries.filter(date__year=year)
    return entries


def departures_by_kind(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, int]:
    """How many left, how: departures that stand, per kind (counts only)."""
    from onward.movements.ledger import DEPARTURE_KINDS

    entries = LedgerEntry.objects.filter(kind__in=DEPARTURE_KINDS, reversed_by__isnull=True)
    if date_from:
        entries = entries.filter(date__gte=date_from)
    if date_to:
        entries = entries.filter(date__lte=date_to)
    counts: dict[str, int] = {k: 0 for k in DEPARTURE_KINDS}
    for kind in entries.values_list("kind", flat=True):
        counts[kind] += 1
    return counts


# -- transfers --------------------------------------------------------------------------


def visible_transfers(user) -> QuerySet:
    if can(user, "movements.view"):
        return Transfer.objects.select_related("pledge")
    return Transfer.objects.none()


def get_transfer_for_user(user, transfer_id) -> Transfer:
    return get_for_user(user, visible_transfers(user), "transfer", transfer_id)


def transfer_list(*, user, status: str = "") -> QuerySet:
    transfers = visible_transfers(user)
    if status:
        transfers = transfers.filter(status=status)
    return transfers.order_by("-date", "-id")


def transfer_detail(*, user, transfer: Transfer) -> dict:
    """The transfer with its manifest (lines on it, and no-shows taken off), audited."""
    audit_read(actor=user, obj=transfer)
    lines = list(
        transfer.lines.select_related("case", "removed_by").prefetch_related(
            "persons", "held_back__person"
        )
    )
    on = [line for line in lines if line.removed_at is None]
    return {
        "transfer": transfer,
        "lines": on,
        "travellers": travellers_blockers(transfer, on),
        "removed": [line for line in lines if line.removed_at is not None],
        "persons": sum(len(line.persons.all()) for line in on),
        "date_changes": transfer_date_changes(transfer),
    }


def travellers_blockers(transfer: Transfer, lines) -> dict[int, list[dict]]:
    """{line pk: [{person, ready, blockers (in words)}]} on the transfer's date: what
    stands between each traveller and the flight (planning), computed, never stored."""
    from onward.readiness.selectors import persons_readiness, reasons

    ids = [p.pk for line in lines for p in line.persons.all()]
    ready = persons_readiness(ids, transfer.country, transfer.date, transfer.pledge_id)
    return {
        line.pk: [
            {"person": p, "ready": ready[p.pk].ready, "blockers": reasons(ready[p.pk])}
            for p in sorted(line.persons.all(), key=lambda p: p.person_id)
        ]
        for line in lines
    }


def candidates_blockers(transfer: Transfer, cases) -> list[dict]:
    """Cases that may still go on the transfer, each member's blockers on its date."""
    from onward.readiness.selectors import persons_readiness, reasons

    members = {
        c.pk: [
            p
            for p in c.members.all()
            if not p.merged_into_id and not p.removed_at and not p.departure_date
        ]
        for c in cases
    }
    ids = [p.pk for ms in members.values() for p in ms]
    ready = persons_readiness(ids, transfer.country, transfer.date, transfer.pledge_id)
    return [
        {
            "case": c,
            "persons": len(members[c.pk]),
            "ready": all(ready[p.pk].ready for p in members[c.pk]),
            "blocked": [
                {"person": p, "blockers": reasons(ready[p.pk])}
                for p in sorted(members[c.pk], key=lambda p: p.person_id)
                if not ready[p.pk].ready
            ],
        }
        for c in cases
        if members[c.pk]
    ]


def transfer_date_changes(transfer: Transfer) -> list[dict]:
    """Every change of a transfer's date, oldest first, read from the audit log (where
    `services.transfer_reschedule` writes the old and the new date with the reason)."""
    from onward.audit.models import AuditEntry

    rows = AuditEntry.objects.filter(
        object_type="transfer",
        object_id__iexact=str(transfer.pk),  # the case-blind (UPPER(object_id), at) index
        action=AuditEntry.Action.UPDATE,
        changes__has_key="date",
    ).order_by("at", "id")
    return [
        {
            "at": e.at,
            "by": e.actor_name,
            "before": e.changes["date"][0],
            "after": e.changes["date"][1],
            "reason": e.detail.partition(": ")[2],
        }
        for e in rows
    ]


def manifest_persons(transfer: Transfer) -> list:
    """The persons on the manifest (the same lines as `manifest_rows`), for the consent
    rule on what leaves with it."""
    lines = transfer.lines.filter(removed_at__isnull=True).prefetch_related("persons")
    return [p for line in lines for p in line.persons.all()]


def manifest_rows(transfer: Transfer) -> list[dict]:
    """One row per person on the manifest (no-shows and members held back left out), in
    case order, with the travel document (number and expiry, from the latest passed
    travel-document fact by the transfer's date), the assistance codes (IATA: WCHR,
    STCR, MEDA, OXYG) and whether a medical escort travels."""
    from onward.readiness.models import Fact, TravelNeed

    lines = list(
        transfer.lines.filter(removed_at__isnull=True)
        .select_related("case")
        .prefetch_related("persons")
        .order_by("case__case_id")
    )
    ids = [p.pk for line in lines for p in line.persons.all()]
    documents: dict[int, Fact] = {}
    for fact in Fact.objects.filter(
        person_id__in=ids, kind="travel_document", status="passed", on__lte=transfer.date
    ).order_by("on", "id"):
        documents[fact.person_id] = fact  # the latest wins
    needs: dict[int, list[str]] = {}
    for pk, need in TravelNeed.objects.filter(person_id__in=ids).values_list("person_id", "need"):
        needs.setdefault(pk, []).append(need)
    rows = []
    for line in lines:
        for p in sorted(
            line.persons.all(), key=lambda p: (p.relationship != "principal", p.person_id)
        ):
            doc = documents.get(p.pk)
            expiry = doc.valid_until if doc is not None else None
            rows.append(
                {
                    "case_id": line.case.case_id,
                    "person_id": p.person_id,
                    "relationship": p.relationship,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "father_name": p.father_name,
                    "sex": p.sex,
                    "birth_date": p.birth_date_display,
                    "nationality": p.nationality,
                    "document_number": p.document_number,
                    "travel_document": doc.document_number if doc is not None else "",
                    "travel_document_expiry": expiry.isoformat() if expiry else "",
                    "assistance": " ".join(sorted(needs.get(p.pk, []))),
                    "escort": "MEDA" if "MEDA" in needs.get(p.pk, []) else "",
                }
            )
    return rows


def reported_departures(*, on: dt.date | None = None) -> QuerySet:
    """Departures reported at other places (the origin camp), stated by `on` (default:
    all), oldest first. Not personal data: figures with their sources."""
    reports = ReportedDeparture.objects.all()
    if on is not None:
        reports = reports.filter(stated_on__lte=on)
    return reports.order_by("stated_on", "left_on", "id")


def reported_total(reports) -> int | None:
    """What the reports say left in all, by the date they were read for: the latest
    total to date, plus the periods reported after the period that total covers (they
    are not in it); the sum of the periods when no total was stated."""
    reports = list(reports)
    totals = [r for r in reports if r.cumulative]
    if not totals:
        return sum(r.persons for r in reports) if reports else None
    latest = max(totals, key=lambda r: (r.stated_on, r.left_on, r.pk))
    return latest.persons + sum(
        r.persons for r in reports if not r.cumulative and r.left_on > latest.left_on
    )
