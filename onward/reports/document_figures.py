"""The dashboard's documents and consent figures (issue 20), true for one date:

- per country of the open submissions on the date: the cases, their documents (attached
  to the case or to a member, created by the end of the day), documents per case, and the
  cases missing a required document type (`DocumentType.required`) valid on the date;
- consents valid on the date that expire within 30 days of it, by recipient.

Cheap at any size: one grouped query per figure, over the documents of the submitted
cases (grouped by case and type) and over the consents (grouped by recipient); no query
per row. Documents' `created_at` dates them, so any past date is answered; a document
removed by retention still counts (its row stays, only its file goes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

EXPIRING_DAYS = 30


def _open_submissions(on: dt.date, end: dt.datetime):
    """Submissions open at the end of `on`: submitted by then, not decided against by
    then, not departed by then."""
    from onward.relocation.models import Submission

    return Submission.objects.filter(submitted_at__lte=end).filter(
        Q(decision__in=("", "accepted")) | Q(decided_at__gt=end),
        Q(departed_on__isnull=True) | Q(departed_on__gt=on),
    )


def documents_by_country(on: dt.date, end: dt.datetime) -> list[tuple[str, int, int, int]]:
    """(country, cases, documents, cases missing a required document) per country."""
    from onward.documents.models import Document, DocumentType

    subs = _open_submissions(on, end)
    countries: dict[str, set[int]] = defaultdict(set)
    for case_id, country in subs.values_list("case_id", "pledge__country").distinct():
        countries[country].add(case_id)
    if not countries:
        return []
    required = set(DocumentType.objects.filter(required=True).values_list("pk", flat=True))
    per_case: dict[int, int] = defaultdict(int)
    held: dict[int, set[int]] = defaultdict(set)  # case -> required types valid on `on`
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    rows = (
        Document.objects.filter(created_at__lte=end)
        .annotate(of_case=Coalesce("case_id", "person__case_id"))
        .filter(of_case__in=subs.values("case_id"))
        .values("of_case", "type_id")
        .annotate(n=Count("id"), valid=Count("id", filter=valid))
        .order_by()
    )
    for row in rows:
        per_case[row["of_case"]] += row["n"]
        if row["valid"] and row["type_id"] in required:
            held[row["of_case"]].add(row["type_id"])
    out = []
    for country in sorted(countries):
        cases = countries[country]
        documents = sum(per_case[c] for c in cases)
        missing = sum(1 for c in cases if required - held[c]) if required else 0
        out.append((country, len(cases), documents, missing))
    return out


def consents_expiring(on: dt.date) -> list[tuple[str, str, int]]:
    """(recipient, country or provider, consents) valid on `on` and expiring within
    EXPIRING_DAYS of it."""
    from onward.consent.models import Consent

    rows = (
        Consent.objects.filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
            given_on__lte=on,
            expires_on__gte=on,
            expires_on__lte=on + dt.timedelta(days=EXPIRING_DAYS),
        )
        .values_list("recipient", "country", "provider")
        .annotate(n=Count("id"))
        .order_by("recipient", "country", "provider")
    )
    return [(recipient, country or provider, n) for recipient, country, provider, n in rows]
