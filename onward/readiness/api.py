"""REST API of departure readiness (docs/readiness.md, "The API"): the matrix's answer
as JSON, and facts recorded or confirmed through the same services as the pages.

Thin: parse, read through the policy's door, call matrix.page / evaluate_page (the
readiness page's own reading: the same persons, cells and filters) and
services.record_fact / confirm_item, render.

- Reads need `relocation.view` (who opens the readiness pages); a delegation reads only
  its own country's pledges, the shared fields only (ids, names, the cells), never a
  member whose consent for its country is withheld; every person answered is an audited
  `view`, like the page.
- Another country's pledge or country, a pledge or person id that is not there (or not
  on the pledge) is 404 with a `denied` audit entry, on every endpoint.
- Refusals of the services are 400 naming the field (a requirement the pledge's country
  does not have, an expiry before the date or the document's issue date, a requirement
  that may not be waived); a waiver by a role that may not waive is 403 naming the
  permission (the audit middleware writes its `denied` entry). Nothing is written then.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from onward import bounds
from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_read, audit_records
from onward.readiness import matrix, selectors, services
from onward.readiness.models import Fact, Kind, TravelNeed
from onward.registry.models import Person
from onward.relocation import guards as external_guards
from onward.relocation.models import RelocationCase, Submission
from onward.relocation.selectors import get_pledge_for_user

PER_PAGE_MAX = 200
# `?after=<case pk>.<person pk>` (the page's key): ASCII digits, each fitting a bigint.
_AFTER = re.compile(r"[0-9]{1,18}\.[0-9]{1,18}", re.ASCII)
_COUNTRY = re.compile(r"[A-Za-z]{3}", re.ASCII)
_TRUE, _FALSE = ("1", "true"), ("0", "false", "")


# --- Answers ------------------------------------------------------------------------------


class BlockerOut(serializers.Serializer):
    kind = serializers.CharField()
    reason = serializers.CharField(help_text="missing, pending, failed or expired")


class CellOut(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField(
        help_text="passed, waived, or the blocker: missing, pending, failed, expired"
    )
    valid_until = serializers.DateField(
        allow_null=True,
        help_text="The last day the fact meeting it is valid (null: for ever, or not met)",
    )
    per_case = serializers.BooleanField(help_text="Met for the whole case by any member's fact")


class PersonReadinessOut(serializers.Serializer):
    """One member of an accepted case: shared fields only (a delegation's too)."""

    person_id = serializers.CharField()
    case_id = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    pledge = serializers.IntegerField()
    country = serializers.CharField()
    ready = serializers.BooleanField(help_text="Every requirement met on `on`: may fly that day")
    blockers = BlockerOut(many=True)
    requirements = CellOut(many=True, help_text="The pledge's requirements, one cell each")
    travel_needs = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The manifest's assistance codes (WCHR, STCR, MEDA, OXYG), for the roles "
        "that record facts; null for the others (they are health-related)",
    )


class ReadinessPageOut(serializers.Serializer):
    on = serializers.DateField()
    results = PersonReadinessOut(many=True)
    next_after = serializers.CharField(
        allow_null=True, help_text="The next page's `after` (null: this is the last page)"
    )
    next = serializers.CharField(allow_null=True, help_text="The next page's URL")


class FactOut(serializers.Serializer):
    id = serializers.IntegerField()
    person_id = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    evidence = serializers.CharField()
    document_issuer = serializers.CharField()
    document_issued_on = serializers.DateField(allow_null=True)
    document_number_recorded = serializers.BooleanField(
        help_text="A travel document number was stored (encrypted; never answered)"
    )
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    case_state = serializers.CharField(
        help_text="The case's relocation state after it followed readiness (ready, accepted…)"
    )


# --- Input --------------------------------------------------------------------------------


def _bounded(check):
    return [bounds.validator(check)]


class FactIn(serializers.Serializer):
    person = serializers.CharField(
        max_length=32, help_text="A member of a case accepted under this pledge (P000123)"
    )
    kind = serializers.ChoiceField(
        choices=Kind.values, help_text="A requirement of the pledge (or its country)"
    )
    status = serializers.ChoiceField(choices=Fact.Status.values)
    on = serializers.DateField(
        help_text="The fact's date: within the operation, up to tomorrow",
        validators=_bounded(bounds.check_event_date),
    )
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Not before `on` (nor before `document_issued_on`)",
        validators=_bounded(bounds.check_planned_date),
    )
    evidence = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="A reference to its evidence"
    )
    document_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A travel document's number: stored encrypted, never answered",
    )
    document_issuer = serializers.CharField(required=False, allow_blank=True, max_length=64)
    document_issued_on = serializers.DateField(
        required=False, allow_null=True, validators=_bounded(bounds.check_event_date)
    )


class ReadinessConfirmIn(serializers.Serializer):
    person = serializers.CharField(
        max_length=32, help_text="A member of a case accepted under this pledge"
    )
    kind = serializers.ChoiceField(
        choices=Kind.values, help_text="An item the delegation confirms (a visa, an entry permit)"
    )
    status = serializers.ChoiceField(
        choices=list(services.CONFIRMABLE),
        default=Fact.Status.PASSED,
        help_text="passed: issued; failed: refused",
    )
    on = serializers.DateField(validators=_bounded(bounds.check_event_date))
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Not before `on`",
        validators=_bounded(bounds.check_planned_date),
    )
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=255)


# --- Reading the matrix -------------------------------------------------------------------

FILTERS = [
    OpenApiParameter(
        "on",
        OpenApiTypes.DATE,
        description="As of this date (default today): only facts recorded by then count; "
        "a flight's date ahead too (at most ten years)",
    ),
    OpenApiParameter("ready", bool, description="Only who can fly on `on`"),
    OpenApiParameter(
        "expiring",
        bool,
        description=f"Only who has a requirement met on `on` that ends within "
        f"{matrix.EXPIRING_DAYS} days",
    ),
    OpenApiParameter(
        "blocked", str, enum=list(Kind.values), description="Only who is blocked by it on `on`"
    ),
    OpenApiParameter(
        "after",
        {"type": "string", "pattern": "^[0-9]{1,18}[.][0-9]{1,18}$"},
        description="The previous page's `next_after` (cursor paging)",
    ),
    OpenApiParameter(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
        description=f"Persons a page (default {matrix.PER_PAGE})",
    ),
]
SCOPE = [
    OpenApiParameter("pledge", {"type": "integer", "minimum": 1}, description="One pledge"),
    OpenApiParameter(
        "country",
        {"type": "string", "pattern": "^[A-Za-z]{3}$"},
        description="One resettlement country (ISO 3166-1 alpha-3)",
    ),
]


def _flag(raw: str, name: str, errors: dict) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        errors[name] = [_("Give true or false (or 1 or 0).")]
    return False


def _filters(request) -> tuple[matrix.Filters, tuple[int, int] | None, int]:
    """The page's filters from the query, or a 400 naming every parameter at fault."""
    q = request.query_params
    errors: dict[str, list[str]] = {}
    on = timezone.localdate()
    if q.get("on", "").strip():
        try:
            on = bounds.parse_date(q["on"], check=bounds.check_planned_date)
        except ValueError as exc:
            errors["on"] = [str(exc)]
    ready = _flag(q.get("ready", ""), "ready", errors)
    expiring = _flag(q.get("expiring", ""), "expiring", errors)
    blocked = q.get("blocked", "")
    if blocked and blocked not in Kind.values:
        errors["blocked"] = [_("“%(raw)s” is not a requirement.") % {"raw": blocked[:32]}]
    after = None
    if q.get("after", ""):
        after = matrix.parse_after(q["after"]) if _AFTER.fullmatch(q["after"]) else None
        if after is None:
            errors["after"] = [
                _("“%(raw)s” is not a page key; give the previous page's next_after.")
                % {"raw": q["after"][:40]}
            ]
    per_page = matrix.PER_PAGE
    raw = q.get("per_page", "")
    if raw:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= PER_PAGE_MAX:
            per_page = int(raw)
        else:
            errors["per_page"] = [_("A whole number from 1 to %(max)s.") % {"max": PER_PAGE_MAX}]
    if errors:
        raise ValidationError(errors)
    return matrix.Filters(on=on, ready=ready, expiring=expiring, blocked=blocked), after, per_page


def _page(request, pledges, *, detail: str) -> Response:
    """One page of the matrix over `pledges` (already scoped), as the page reads it."""
    user = request.user
    filters, after, per_page = _filters(request)
    by_pk = {p.pk: p for p in pledges}
    pg = matrix.page(pledges, filters, after, per_page=per_page)
    evaluated = matrix.evaluate_page(pg, filters.on)
    if policy.is_delegation(user):  # never a member whose consent is withheld
        shared = {
            p.pk
            for p in external_guards.without_withheld_consent(
                [e[0] for e in evaluated], user.country
            )
        }
        evaluated = [e for e in evaluated if e[0].pk in shared]
    audit_records(
        actor=user,
        entries=[(AuditEntry.Action.VIEW, "person", e[0].person_id) for e in evaluated],
        detail=f"{detail} on {filters.on.isoformat()}"[:255],
    )
    needs: dict[int, list[str]] | None = None
    if policy.can(user, "readiness.record"):  # health-related: only for who records them
        needs = selectors.travel_needs_of(e[0].pk for e in evaluated)
    results = []
    for person, pledge_id, readiness, cells in evaluated:
        results.append(
            {
                "person_id": person.person_id,
                "case_id": person.case.case_id,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "pledge": pledge_id,
                "country": by_pk[pledge_id].country,
                "ready": readiness.ready,
                "blockers": [{"kind": b.kind, "reason": b.reason} for b in readiness.blockers],
                "requirements": [
                    {
                        "kind": kind,
                        "status": status,
                        "valid_until": ends,
                        "per_case": req.per_case,
                    }
                    for kind, (req, status, ends) in cells.items()
                ],
                "travel_needs": None if needs is None else needs.get(person.pk, []),
            }
        )
    next_after = pg.after if pg.has_next else None
    next_url = None
    if next_after:
        query = request.query_params.copy()
        query["after"] = next_after
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return Response(
        ReadinessPageOut(
            {"on": filters.on, "results": results, "next_after": next_after, "next": next_url}
        ).data
    )


def _require_view(request) -> None:
    policy.require(request.user, "relocation.view")


class ReadinessApi(APIView):
    @extend_schema(
        parameters=[*SCOPE, *FILTERS],
        responses={200: ReadinessPageOut},
        description="The readiness matrix across the pledges you may see (a delegation: its "
        "country's): the current members of the cases accepted under them by `on`, in case "
        "order, each with a cell per requirement of its pledge, as the page /readiness/ "
        "shows them. Another country's pledge or country: 404.",
    )
    def get(self, request):
        _require_view(request)
        user = request.user
        pledges = list(policy.visible_pledges(user).only("pk", "country", "name").order_by("pk"))
        raw_pledge = request.query_params.get("pledge", "")
        if raw_pledge:
            pledge = get_pledge_for_user(user, raw_pledge)
            pledges = [p for p in pledges if p.pk == pledge.pk]
        raw_country = request.query_params.get("country", "").strip()
        if raw_country:
            if not _COUNTRY.fullmatch(raw_country):
                raise ValidationError(
                    {
                        "country": [
                            _(
                                "“%(raw)s” is not a country code (three letters, ISO 3166-1 alpha-3)."
                            )
                            % {"raw": raw_country[:8]}
                        ]
                    }
                )
            country = raw_country.upper()
            if policy.is_delegation(user) and country != user.country:
                policy.deny(user, "country", country, detail="readiness API")
                raise policy.NotFound(f"No country {country}.")
            pledges = [p for p in pledges if p.country == country]
        return _page(request, pledges, detail="readiness API")


class PledgeReadinessApi(APIView):
    @extend_schema(
        parameters=FILTERS,
        responses={200: ReadinessPageOut},
        description="The readiness of one pledge's accepted cases (the matrix with "
        "`?pledge=`), as of a date, with the same filters and paging.",
    )
    def get(self, request, pledge_id):
        _require_view(request)
        pledge = get_pledge_for_user(request.user, pledge_id)
        audit_read(actor=request.user, obj=pledge)
        return _page(request, [pledge], detail=f"readiness API, pledge {pledge.pk}")


# --- Writing facts ------------------------------------------------------------------------


def _traveller(request, pledge, person_id: str, *, what: str) -> Person:
    """A current member of a case accepted under the pledge (a delegation: one whose
    consent for its country is not withheld); anything else is "not there" for this
    pledge: 404 with a `denied` entry."""
    cases = Submission.objects.filter(pledge=pledge, decision=Submission.Decision.ACCEPTED)
    person = (
        Person.objects.filter(
            person_id=person_id,
            case_id__in=cases.values("case_id"),
            merged_into__isnull=True,
            removed_at__isnull=True,
        )
        .select_related("case")
        .first()
    )
    if person is not None and policy.is_delegation(request.user):
        person = next(
            iter(external_guards.without_withheld_consent([person], request.user.country)), None
        )
    if person is None:
        policy.deny(request.user, "person", person_id, detail=f"{what}, pledge {pledge.pk}")
        raise policy.NotFound(f"No person {person_id[:32]} on pledge {pledge.pk}.")
    return person


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _fact_answer(fact: Fact, person: Person) -> Response:
    state = (
        RelocationCase.objects.filter(case_id=person.case_id)
        .values_list("state", flat=True)
        .first()
    )
    return Response(
        FactOut(
            {
                "id": fact.pk,
                "person_id": person.person_id,
                "kind": fact.kind,
                "status": fact.status,
                "on": fact.on,
                "valid_until": fact.valid_until,
                "evidence": fact.evidence,
                "document_issuer": fact.document_issuer,
                "document_issued_on": fact.document_issued_on,
                "document_number_recorded": bool(fact.document_number),
                "recorded_by": fact.recorded_by.username if fact.recorded_by else "",
                "recorded_at": fact.recorded_at,
                "case_state": state or "",
            }
        ).data,
        status=201,
    )


WAIVER_403 = OpenApiResponse(
    description="The role may not record facts, or may not waive this requirement "
    "(`fields.status` names the permission)."
)


class RecordFactApi(APIView):
    @extend_schema(
        request=FactIn,
        responses={201: FactOut, 403: WAIVER_403},
        description="Records a fact for a member of a case accepted under the pledge "
        "(services.record_fact, as the readiness page's form): refused whole, naming the "
        "field, for a requirement the pledge's country does not have, a `valid_until` "
        "before `on` or before `document_issued_on`, a waiver of a requirement that may "
        "not be waived; a waiver by a role without the requirement's waiver permission is "
        "403. The case follows readiness at once (`case_state`).",
    )
    def post(self, request, pledge_id):
        policy.require(request.user, "readiness.record")
        pledge = get_pledge_for_user(request.user, pledge_id)
        data = _body(FactIn, request)
        person = _traveller(request, pledge, data["person"], what="readiness record")
        try:
            fact = services.record_fact(
                request.user,
                person=person,
                country=pledge.country,
                kind=data["kind"],
                status=data["status"],
                on=data["on"],
                valid_until=data.get("valid_until"),
                evidence=data.get("evidence", ""),
                document_number=data.get("document_number", ""),
                document_issuer=data.get("document_issuer", ""),
                document_issued_on=data.get("document_issued_on"),
                pledge_id=pledge.pk,
            )
        except PermissionDenied as exc:  # a waiver the role may not give: name the field
            message = str(exc)
            return Response({"error": message, "fields": {"status": [message]}}, status=403)
        return _fact_answer(fact, person)


class ConfirmItemApi(APIView):
    @extend_schema(
        request=ReadinessConfirmIn,
        responses={201: FactOut},
        description="A delegation confirms one of its country's items (a visa issued, or "
        "refused) for a member of a case accepted under its pledge "
        "(services.confirm_item, as the readiness page's form). An item that is not the "
        "delegation's is 403; another country's pledge or a person not on it, 404.",
    )
    def post(self, request, pledge_id):
        policy.require(request.user, "readiness.confirm")
        pledge = get_pledge_for_user(request.user, pledge_id)
        data = _body(ReadinessConfirmIn, request)
        person = _traveller(request, pledge, data["person"], what="readiness confirm")
        fact = services.confirm_item(
            request.user,
            person=person,
            pledge=pledge,
            kind=data["kind"],
            status=data["status"],
            on=data["on"],
            valid_until=data.get("valid_until"),
            evidence=data.get("evidence", ""),
        )
        return _fact_answer(fact, person)


# --- Travel needs (the manifest's assistance codes) -------------------------------------------


class TravelNeedsIn(serializers.Serializer):
    person = serializers.CharField(
        max_length=32, help_text="A member of a case accepted under this pledge"
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=TravelNeed.Need.values),
        max_length=len(TravelNeed.Need.values),
        help_text="All of the person's travel needs (replacing them; [] for none): "
        "WCHR wheelchair, STCR stretcher, MEDA medical escort, OXYG oxygen",
    )


class TravelNeedsOut(serializers.Serializer):
    person_id = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField())


class TravelNeedsApi(APIView):
    @extend_schema(
        request=TravelNeedsIn,
        responses={200: TravelNeedsOut},
        description="Sets a traveller's travel needs, which the transfer's manifests carry "
        "as assistance codes (and MEDA as the escort); `readiness.record`. The change is "
        "audited with the codes before and after.",
    )
    def post(self, request, pledge_id):
        policy.require(request.user, "readiness.record")
        pledge = get_pledge_for_user(request.user, pledge_id)
        data = _body(TravelNeedsIn, request)
        person = _traveller(request, pledge, data["person"], what="travel needs")
        needs = services.travel_needs_set(request.user, person=person, needs=data["needs"])
        return Response({"person_id": person.person_id, "needs": needs})
