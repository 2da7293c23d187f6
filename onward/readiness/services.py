"""Recording readiness facts: bad input is refused whole, with a message naming it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts import policy
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.readiness import selectors
from onward.readiness.models import Fact, Requirement


def requirement_for(country: str, kind: str, pledge_id: int | None = None) -> Requirement:
    """The pledge's own requirement of this kind if it has one, else the country's."""
    if pledge_id is not None:
        own = Requirement.objects.filter(pledge_id=pledge_id, kind=kind).first()
        if own is not None:
            return own
    found = Requirement.objects.filter(country=country, pledge__isnull=True, kind=kind).first()
    if found is None:
        raise ValidationError(
            {
                "kind": _("%(country)s has no requirement %(kind)s.")
                % {"country": country, "kind": kind}
            }
        )
    return found


@transaction.atomic
def record_fact(
    user,
    *,
    person,
    country: str,
    kind: str,
    status: str,
    on: dt.date,
    valid_until: dt.date | None = None,
    evidence: str = "",
    document_number: str = "",
    document_issuer: str = "",
    document_issued_on: dt.date | None = None,
    pledge_id: int | None = None,
) -> Fact:
    policy.require(user, "readiness.record")
    requirement = requirement_for(country, kind, pledge_id)
    # Each refusal names its field (the API's `fields`; the page shows the message).
    if status not in Fact.Status.values:
        raise ValidationError(
            {"status": _("Unknown status %(status)s.") % {"status": str(status)[:16]}}
        )
    if valid_until is not None and valid_until < on:
        raise ValidationError(
            {
                "valid_until": _("Valid until %(until)s is before the date %(on)s.")
                % {"until": valid_until, "on": on}
            }
        )
    if (
        document_issued_on is not None
        and valid_until is not None
        and valid_until < document_issued_on
    ):
        raise ValidationError(
            {
                "valid_until": _(
                    "The document's expiry %(until)s is before its issue date %(issued)s."
                )
                % {"until": valid_until, "issued": document_issued_on}
            }
        )
    if status == Fact.Status.WAIVED:
        if not requirement.waivable:
            raise ValidationError(
                {"status": _("Requirement %(kind)s may not be waived.") % {"kind": kind}}
            )
        permission = requirement.waiver_permission or "readiness.waive"
        if not policy.can(user, permission):
            raise PermissionDenied(
                _("Your role may not waive %(kind)s (%(permission)s).")
                % {"kind": kind, "permission": permission}
            )
    (fact,) = facts_write(
        user,
        [
            {
                "person": person,
                "kind": kind,
                "status": status,
                "on": on,
                "valid_until": valid_until,
                "evidence": evidence,
                "document_number": document_number,
                "document_issuer": document_issuer,
                "document_issued_on": document_issued_on,
            }
        ],
    )
    _audit_fact(user, fact, person)
    return fact


def _audit_fact(user, fact: Fact, person) -> None:
    """A fact recorded by a user (a staff member's, a delegation's) is an audited write:
    the person, the requirement and its status, never the document number."""
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        object_type="readiness_fact",
        object_id=fact.pk,
        changes={"person": person.person_id, "kind": fact.kind, "status": fact.status},
        detail=f"{person.person_id}: {fact.kind} {fact.status} on {fact.on.isoformat()}",
    )


def facts_write(
    actor, rows, *, on: dt.date | None = None, at: dt.datetime | dict | None = None
) -> list[Fact]:
    """The one door to the facts table: stores the facts (rows: dicts of Fact's fields,
    already checked by the caller, `recorded_by` the actor) and at once moves the stored
    state of their persons' cases to what readiness says on `on` (default today; `at`, the
    transitions' instant, as follow() takes it): the last missing fact makes a case ready
    for departure, a failed or expired one takes it back to accepted. In one transaction:
    a fact is never stored without its case following it."""
    from onward.registry.models import Person

    with transaction.atomic():
        facts = Fact.objects.bulk_create(
            [Fact(recorded_by=acting_user(actor), **row) for row in rows], batch_size=2000
        )
        persons = {f.person_id for f in facts}
        case_ids = set(
            Person.objects.filter(pk__in=persons, case__isnull=False).values_list(
                "case_id", flat=True
            )
        )
        if case_ids:
            from onward.registry.models import Case

            follow(actor, list(Case.objects.filter(pk__in=case_ids).order_by("pk")), on=on, at=at)
    return facts


def case_verdicts(cases, on: dt.date) -> dict:
    """{case: (ready, why)} on `on` for cases with an accepted submission: a case is ready
    when every member present (its travelling members) is ready under its pledge."""
    from onward.registry.models import Person
    from onward.relocation.models import Submission

    subs = {
        s.case_id: s
        for s in Submission.objects.filter(
            case__in=[c.pk for c in cases], decision=Submission.Decision.ACCEPTED
        ).select_related("pledge")
    }
    members: dict[int, list] = {}
    for p in Person.objects.filter(
        case__in=list(subs),
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    ).only("pk", "person_id", "case_id"):
        members.setdefault(p.case_id, []).append(p)
    verdicts = {}
    by_pledge: dict[int, list] = {}
    for case in cases:
        if case.pk in subs:
            by_pledge.setdefault(subs[case.pk].pledge_id, []).append(case)
    for cases_of in by_pledge.values():
        pledge = subs[cases_of[0].pk].pledge
        ids = [p.pk for c in cases_of for p in members.get(c.pk, [])]
        ready = selectors.persons_readiness(ids, pledge.country, on, pledge.pk)
        for case in cases_of:
            mine = members.get(case.pk, [])
            held = [p for p in mine if not ready[p.pk].ready]
            why = "; ".join(f"{p.person_id}: {selectors.reasons(ready[p.pk])}" for p in held)
            verdicts[case] = (bool(mine) and not held, why or f"every member ready on {on}")
    return verdicts


def follow(actor, cases, on: dt.date | None = None, at: dt.datetime | dict | None = None) -> list:
    """Moves the cases' relocation state to what readiness says on `on` (default today):
    accepted -> ready, or ready -> accepted when a fact failed or expired."""
    from onward.relocation.services import cases_readiness_follow

    on = on or timezone.localdate()
    return cases_readiness_follow(actor=actor, verdicts=case_verdicts(cases, on), at=at)


def expiry_candidates(since: dt.date | None, today: dt.date) -> set[int]:
    """Persons whose latest fact of some kind (readiness_latestfact) may decide otherwise
    on `today` than on `since`, by time alone: a passed fact whose validity ends in
    [since, today) under some requirement of its kind (its `valid_until`, or its date
    plus the requirement's `valid_days` or `valid_hours_before_departure // 24`), or a
    fact dated after `since` (recorded ahead: it counts from its date). An index range
    a requirement (latest_fact_kind_until, latest_fact_kind_on), never all persons;
    `since` None: every such fact ever (the first run)."""
    from django.db.models import Q

    from onward.readiness.models import LatestFact

    def between(field: str, lag: int) -> Q:
        q = Q(**{f"{field}__lt": today - dt.timedelta(days=lag)})
        if since is not None:
            q &= Q(**{f"{field}__gte": since - dt.timedelta(days=lag)})
        return q

    lags: dict[str, set[int]] = {}
    for days, hours, kind in Requirement.objects.values_list(
        "valid_days", "valid_hours_before_departure", "kind"
    ):
        mine = lags.setdefault(kind, set())
        mine.update(d for d in (days, None if hours is None else hours // 24) if d is not None)
    persons: set[int] = set()
    for kind, kind_lags in sorted(lags.items()):
        ends = between("valid_until", 0)
        for lag in sorted(kind_lags):
            ends |= between("on", lag)
        changed = Q(ends, status=Fact.Status.PASSED)
        if since is not None:
            changed |= Q(on__gt=since)  # recorded ahead, whatever its status
        persons.update(
            LatestFact.objects.filter(changed, kind=kind).values_list("person_id", flat=True)
        )
    return persons


def follow_expiries(actor=None, *, today: dt.date | None = None) -> dict:
    """The daily follow of time passing (the chore `readiness follow`, `onward
    readiness-follow`): the cases ready for departure or accepted whose readiness may
    have changed since the previous run with no fact recorded (a fitness-to-travel check
    expired overnight, a visa's last day gone: `expiry_candidates`) follow readiness on
    `today` (`follow`: moved and audited as a fact's follow is, the reason naming the
    blocker), and the run is recorded (`ExpiryFollow`). Only those cases, never all; a
    second run the same day finds nothing new and changes nothing."""
    from onward.readiness.models import ExpiryFollow
    from onward.registry.models import Case, Person
    from onward.relocation.models import RelocationCase, State

    today = today or timezone.localdate()
    with transaction.atomic():
        last = ExpiryFollow.objects.select_for_update().order_by("-day").first()
        if last is not None and last.day >= today:
            return {"day": str(today), "since": str(last.day), "cases": 0, "moved": 0}
        since = last.day if last is not None else None
        persons = expiry_candidates(since, today)
        case_ids = set(
            Person.objects.filter(pk__in=persons, case__isnull=False).values_list(
                "case_id", flat=True
            )
        )
        live = RelocationCase.objects.filter(
            case_id__in=case_ids, state__in=(State.ACCEPTED, State.READY)
        ).values_list("case_id", flat=True)
        cases = list(Case.objects.filter(pk__in=list(live)).order_by("pk"))
        moved = follow(actor, cases, on=today) if cases else []
        ExpiryFollow.objects.create(day=today, cases=len(cases), moved=len(moved))
    return {
        "day": str(today),
        "since": str(since) if since else "",
        "cases": len(cases),
        "moved": len(moved),
    }


# The three checks every case needed before readiness was per country (migration 0002).
FORMER_EXIT_CHECKS = ("travel_document", "health_assessment", "exit_permit")


def requirements_seed(country: str, kinds=FORMER_EXIT_CHECKS, **fields) -> list[Requirement]:
    """The country's requirements of these kinds, created where missing (setup, demo)."""
    return [
        Requirement.objects.get_or_create(
            country=country, kind=kind, pledge=None, defaults=fields.get(kind, {})
        )[0]
        for kind in kinds
    ]


def delegation_requirements(pledge) -> list[Requirement]:
    """The pledge's requirements its country's delegation confirms (a pledge's own
    replacing the country's of the same kind)."""
    by_kind = {
        r.kind: r for r in Requirement.objects.filter(country=pledge.country, pledge__isnull=True)
    }
    by_kind.update({r.kind: r for r in Requirement.objects.filter(pledge=pledge)})
    return [r for _, r in sorted(by_kind.items()) if r.delegation_confirms]


CONFIRMABLE = (Fact.Status.PASSED, Fact.Status.FAILED)  # a visa issued, or refused


def confirm_item(
    user,
    *,
    person,
    pledge,
    kind: str,
    status: str,
    on: dt.date,
    valid_until: dt.date | None = None,
    evidence: str = "",
) -> Fact:
    """A delegation confirms one of its own country's items for a member of a case
    accepted under its pledge. The caller fetched `pledge` and `person` through the
    policy's door (scoped); a requirement that is not the delegation's is refused with a
    `denied` audit entry (PermissionDenied), bad input whole (ValidationError)."""
    policy.require(user, "readiness.confirm")
    if not policy.is_delegation(user) or pledge.country != user.country:
        policy.deny(user, "pledge", pledge.pk, detail="readiness confirm")
        raise PermissionDenied(
            _("Only the delegation of %(country)s confirms its items.")
            % {"country": pledge.country}
        )
    requirement = requirement_for(pledge.country, kind, pledge.pk)
    if not requirement.delegation_confirms:
        policy.deny(
            user, "requirement", requirement.pk, detail=f"confirm {kind}: not the delegation's"
        )
        raise PermissionDenied(
            _("%(kind)s is not an item the delegation confirms.")
            % {"kind": requirement.get_kind_display()}
        )
    if status not in CONFIRMABLE:
        raise ValidationError(
            {
                "status": _("A delegation records an item as passed or failed, not %(status)s.")
                % {"status": str(status)[:16]}
            }
        )
    if valid_until is not None and valid_until < on:
        raise ValidationError(
            {
                "valid_until": _("Valid until %(until)s is before the date %(on)s.")
                % {"until": valid_until, "on": on}
            }
        )
    # The checks' denied entries above are kept (facts_write has its own transaction).
    # The case follows at once: the visa issued can be what makes it ready for departure
    # (the workflow step is recorded as the delegation user's, a consequence of its fact).
    (fact,) = facts_write(
        user,
        [
            {
                "person": person,
                "kind": kind,
                "status": status,
                "on": on,
                "valid_until": valid_until,
                "evidence": evidence,
            }
        ],
    )
    _audit_fact(user, fact, person)
    return fact


@transaction.atomic
def travel_needs_set(user, *, person, needs) -> list[str]:
    """The person's travel needs (the assistance codes a manifest carries: WCHR, STCR,
    MEDA, OXYG) become `needs`; `readiness.record`. An unknown code is refused whole,
    naming it; the change is an audited write with the codes before and after."""
    from onward.readiness.models import TravelNeed

    policy.require(user, "readiness.record")
    wanted = sorted(set(needs))
    unknown = [n for n in wanted if n not in TravelNeed.Need.values]
    if unknown:
        raise ValidationError(
            {
                "needs": _("%(codes)s: not a travel need (one of %(known)s).")
                % {
                    "codes": ", ".join(str(n)[:8] for n in unknown[:5]),
                    "known": ", ".join(TravelNeed.Need.values),
                }
            }
        )
    before = sorted(TravelNeed.objects.filter(person=person).values_list("need", flat=True))
    if before != wanted:
        # A need is an attribute of the person, corrected like one: the audit entry keeps
        # what it was.
        TravelNeed.objects.filter(person=person).exclude(need__in=wanted).delete()
        TravelNeed.objects.bulk_create(
            [TravelNeed(person=person, need=n) for n in wanted if n not in before]
        )
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            object_type="person",
            object_id=person.person_id,
            changes={"travel_needs": [before, wanted]},
            detail="travel needs",
        )
    return wanted
