"""Recording readiness facts: bad input is refused whole, with a message naming it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onward.accounts import policy
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
            _("%(country)s has no requirement %(kind)s.") % {"country": country, "kind": kind}
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
    if status not in Fact.Status.values:
        raise ValidationError(_("Unknown status %(status)s.") % {"status": status})
    if valid_until is not None and valid_until < on:
        raise ValidationError(
            _("Valid until %(until)s is before the date %(on)s.") % {"until": valid_until, "on": on}
        )
    if (
        document_issued_on is not None
        and valid_until is not None
        and valid_until < document_issued_on
    ):
        raise ValidationError(
            _("The document's expiry %(until)s is before its issue date %(issued)s.")
            % {"until": valid_until, "issued": document_issued_on}
        )
    if status == Fact.Status.WAIVED:
        if not requirement.waivable:
            raise ValidationError(_("Requirement %(kind)s may not be waived.") % {"kind": kind})
        permission = requirement.waiver_permission or "readiness.waive"
        if not policy.can(user, permission):
            raise PermissionDenied(
                _("Your role may not waive %(kind)s (%(permission)s).")
                % {"kind": kind, "permission": permission}
            )
    return Fact.objects.create(
        person=person,
        kind=kind,
        status=status,
        on=on,
        valid_until=valid_until,
        recorded_by=user,
        evidence=evidence,
        document_number=document_number,
        document_issuer=document_issuer,
        document_issued_on=document_issued_on,
    )
