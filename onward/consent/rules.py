"""The consent rules other apps call (docs/consent.md).

- `submit_refusal(case, pledge, on)`: relocation's submit guard. Submitting a case to a
  country needs a valid consent for that country's delegation from every adult member
  present, or a `ConsentOverride` for the case and country; the refusal names the rule
  and the members.
- `withheld_person_ids(persons, country)`: the members whose consent for the country was
  withdrawn (and not given again): the delegation's shared view and its dossier leave
  them out at once.
- `dossier_closed_reason(submission, on)`: why a dossier is closed, or "" when it is open.

Reads only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from onward.consent.models import Consent, ConsentOverride, Recipient, SharingAgreement

ADULT_AGE = 18


def _present(case):
    return case.members.filter(
        merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
    ).order_by("person_id")


def adults(case, on: dt.date) -> list:
    """Members present who are adults on `on`; an unknown age counts as adult (they speak
    for themselves until their age is known)."""
    out = []
    for p in _present(case):
        age = p.age_on(on)
        if age is None or age >= ADULT_AGE:
            out.append(p)
    return out


def valid_q(country: str, on: dt.date) -> Q:
    return (
        Q(recipient=Recipient.DELEGATION, country=country, given_on__lte=on)
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    )


def consented_ids(person_pks, country: str, on: dt.date) -> set[int]:
    return set(
        Consent.objects.filter(valid_q(country, on), person_id__in=list(person_pks)).values_list(
            "person_id", flat=True
        )
    )


def withheld_person_ids(person_pks, country: str, on: dt.date | None = None) -> set[int]:
    """Persons with a withdrawn consent for `country`'s delegation and no valid one on `on`
    (today by default)."""
    on = on or timezone.localdate()
    pks = list(person_pks)
    withdrawn = set(
        Consent.objects.filter(
            person_id__in=pks,
            recipient=Recipient.DELEGATION,
            country=country,
            withdrawn_on__lte=on,
        ).values_list("person_id", flat=True)
    )
    if not withdrawn:
        return set()
    return withdrawn - consented_ids(withdrawn, country, on)


def missing_consent(case, country: str, on: dt.date) -> list:
    """The adult members present without a valid consent for `country` on `on`."""
    grown = adults(case, on)
    have = consented_ids([p.pk for p in grown], country, on)
    return [p for p in grown if p.pk not in have]


def override_for(case, country: str) -> ConsentOverride | None:
    return ConsentOverride.objects.filter(case=case, country=country).order_by("-at").first()


def submit_refusal(case, pledge, on: dt.date) -> str | None:
    """The refusal of submitting `case` to `pledge` on `on`, naming the rule and the
    members, or None when every adult consented or the case has an override."""
    if not getattr(settings, "ONWARD_CONSENT_REQUIRED", True) or pledge is None:
        return None
    missing = missing_consent(case, pledge.country, on)
    if not missing or override_for(case, pledge.country):
        return None
    return (
        f"Consent rule: submitting case {case.case_id} to {pledge.country} needs a valid "
        f"consent for {pledge.country}'s delegation from every adult member; none on "
        f"{on} for {', '.join(p.person_id for p in missing)}. Record their consent, or "
        "ask a permitted role for an override with a reason."
    )


def agreement_on(country: str, on: dt.date) -> SharingAgreement | None:
    return (
        SharingAgreement.objects.filter(country=country, valid_from__lte=on, valid_to__gte=on)
        .order_by("-valid_to", "-id")
        .first()
    )


def dossier_closed_reason(submission, on: dt.date) -> str:
    """Why `submission`'s dossier is closed on `on`: the submission closed, no agreement in
    force, or a member's consent withdrawn or missing (without override); "" if open."""
    country = submission.pledge.country
    if not submission.is_open or submission.departed_on:
        return f"submission {submission.pk} is closed"
    if agreement_on(country, on) is None:
        return f"no data-sharing agreement with {country} is in force on {on}"
    case = submission.case
    withheld = withheld_person_ids([p.pk for p in _present(case)], country, on)
    if withheld:
        ids = sorted(p.person_id for p in _present(case) if p.pk in withheld)
        return f"consent for {country} was withdrawn for {', '.join(ids)}"
    missing = missing_consent(case, country, on)
    if missing and not override_for(case, country):
        names = ", ".join(p.person_id for p in missing)
        return f"no valid consent for {country} on {on} from {names}"
    return ""


def _adult_on(person, on: dt.date) -> bool:
    age = person.age_on(on)
    return age is None or age >= ADULT_AGE


def sharing_refusal(persons, country: str, on: dt.date, *, what: str) -> str | None:
    """Why the personal data of `persons` may not leave for `country` on `on` in `what`
    (a manifest, an export), naming the rule and the persons; None when they may.

    They may when no one's consent for the country is withdrawn (a withdrawal is the
    person's own no, which no agreement overrides) and either a data-sharing agreement
    with the country is in force, or every adult among them has a valid consent (or
    their case an override). A child's data go with the adults' consent, as at submission.
    The whole document is refused rather than sent short of people: a manifest missing a
    passenger is worse than none (docs/consent.md)."""
    if not getattr(settings, "ONWARD_CONSENT_REQUIRED", True):
        return None
    persons = list(persons)
    withheld = withheld_person_ids([p.pk for p in persons], country, on)
    if withheld:
        ids = ", ".join(sorted(p.person_id for p in persons if p.pk in withheld))
        return (
            f"Consent rule: {what} cannot go to {country}: consent for {country} was "
            f"withdrawn for {ids}. Take them off it first."
        )
    if agreement_on(country, on) is not None:
        return None
    grown = [p for p in persons if _adult_on(p, on)]
    have = consented_ids([p.pk for p in grown], country, on)
    overridden = set(
        ConsentOverride.objects.filter(
            country=country, case_id__in={p.case_id for p in grown}
        ).values_list("case_id", flat=True)
    )
    missing = [p for p in grown if p.pk not in have and p.case_id not in overridden]
    if not missing:
        return None
    ids = ", ".join(sorted(p.person_id for p in missing))
    return (
        f"Consent rule: {what} cannot go to {country}: no data-sharing agreement with "
        f"{country} is in force on {on} and no valid consent for {country}'s delegation "
        f"from {ids}. Record their consent or the agreement."
    )
