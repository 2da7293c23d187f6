"""REST API of relocation. Thin: parse, call selectors and services, render.

A delegation user reads only its country's pledges and submissions, and a case only as
its submission shares it (`SharedCaseOut`: no notes, phones or documents)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.accounts import policy
from onward.relocation import selectors, services, workflow
from onward.relocation.models import Pledge, State, Submission
from onward.relocation.workflow import StaleState


def _require_view(request):
    policy.require(request.user, "relocation.view")


class CapacityOut(serializers.Serializer):
    capacity = serializers.IntegerField(allow_null=True)
    submitted = serializers.IntegerField()
    pending = serializers.IntegerField()
    accepted = serializers.IntegerField()
    departed = serializers.IntegerField()
    remaining = serializers.IntegerField(allow_null=True)


class StandingOut(serializers.Serializer):
    code = serializers.CharField(help_text="open | not_yet_open | ended | draft | closed")
    label = serializers.CharField()
    reason = serializers.CharField(help_text="Why it takes no cases today (empty if open).")
    takes_cases = serializers.BooleanField()


class PledgeOut(serializers.ModelSerializer):
    capacities = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField(
        help_text="Derived today from the status and the validity dates."
    )

    class Meta:
        model = Pledge
        fields = [
            "id",
            "country",
            "name",
            "valid_from",
            "valid_to",
            "status",
            "standing",
            "max_case_size",
            "needs_served",
            "needs_not_served",
            "nationalities",
            "notes",
            "version",
            "capacities",
        ]

    def get_capacities(self, pledge) -> dict[str, int]:
        return {c.dimension_id: c.capacity for c in pledge.capacities.all()}

    @extend_schema_field(StandingOut)
    def get_standing(self, pledge) -> dict:
        return StandingOut(pledge.standing).data


class PledgeDetailOut(PledgeOut):
    figures = serializers.DictField(child=CapacityOut())

    class Meta(PledgeOut.Meta):
        fields = [*PledgeOut.Meta.fields, "figures"]


class PledgeIn(serializers.Serializer):
    """Raw values; relocation's own rules (services._clean_pledge) validate them."""

    country = serializers.CharField(help_text="ISO 3166-1 alpha-3")
    name = serializers.CharField()
    valid_from = serializers.CharField(help_text="YYYY-MM-DD")
    valid_to = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    status = serializers.ChoiceField(choices=Pledge.Status.choices, required=False)
    max_case_size = serializers.IntegerField(required=False, allow_null=True)
    needs_served = serializers.ListField(child=serializers.CharField(), required=False)
    needs_not_served = serializers.ListField(child=serializers.CharField(), required=False)
    nationalities = serializers.ListField(child=serializers.CharField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    capacities = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="{dimension: places}; persons at least",
    )


class PledgePatch(PledgeIn):
    # An edit names only what changes (the version excepted).
    country = serializers.CharField(required=False)
    name = serializers.CharField(required=False, allow_blank=True)
    valid_from = serializers.CharField(required=False)
    capacities = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), required=False
    )
    version = serializers.IntegerField(help_text="The version you read; a stale edit is refused.")
    note = serializers.CharField(required=False, allow_blank=True)


class PledgeListApi(APIView):
    @extend_schema(responses=PledgeOut(many=True))
    def get(self, request):
        _require_view(request)
        pledges = policy.visible_pledges(request.user).prefetch_related("capacities")
        return Response(PledgeOut(pledges, many=True).data)

    @extend_schema(request=PledgeIn, responses={201: PledgeDetailOut})
    def post(self, request):
        policy.require(request.user, "relocation.manage_pledges")
        body = PledgeIn(data=request.data)
        body.is_valid(raise_exception=True)
        pledge = services.pledge_create(actor=request.user, data=dict(body.validated_data))
        return Response(_pledge_detail(pledge), status=201)


def _pledge_detail(pledge):
    data = PledgeOut(pledge).data
    data["figures"] = selectors.pledge_figures(pledge)
    return data


class PledgeDetailApi(APIView):
    @extend_schema(responses=PledgeDetailOut)
    def get(self, request, pledge_id):
        _require_view(request)
        pledge = selectors.get_pledge_for_user(request.user, pledge_id)
        selectors.pledge_detail(user=request.user, pledge=pledge)
        return Response(_pledge_detail(pledge))

    @extend_schema(request=PledgePatch, responses=PledgeDetailOut)
    def patch(self, request, pledge_id):
        policy.require(request.user, "relocation.manage_pledges")
        pledge = selectors.get_pledge_for_user(request.user, pledge_id)
        body = PledgePatch(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        version, note = changes.pop("version"), changes.pop("note", "")
        pledge = services.pledge_update(
            actor=request.user, pledge=pledge, expected_version=version, changes=changes, note=note
        )
        return Response(_pledge_detail(pledge))


class TransitionOut(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default="")
    reason = serializers.CharField()
    pledge = serializers.IntegerField(
        source="submission.pledge_id",
        default=None,
        allow_null=True,
        help_text="null: not a submission step",
    )


class SubmissionOut(serializers.ModelSerializer):
    case_id = serializers.CharField(source="case.case_id")
    pledge_name = serializers.CharField(source="pledge.name")
    country = serializers.CharField(source="pledge.country")
    size = serializers.IntegerField(required=False)

    class Meta:
        model = Submission
        fields = [
            "id",
            "case_id",
            "pledge",
            "pledge_name",
            "country",
            "category",
            "priority",
            "usage",
            "submitted_at",
            "decision",
            "decided_at",
            "reason",
            "departed_on",
            "accepted_members",
            "deferred_until",
            "size",
        ]


class RelocationCaseOut(serializers.Serializer):
    case_id = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    category = serializers.CharField()
    priority = serializers.CharField()
    version = serializers.IntegerField()
    usage = serializers.DictField(child=serializers.IntegerField())
    allowed_actions = serializers.ListField(child=serializers.CharField())
    exit_checks = serializers.ListField(child=serializers.CharField())
    submissions = SubmissionOut(many=True)
    history = TransitionOut(many=True)


class SharedMemberOut(serializers.Serializer):
    person_id = serializers.CharField(help_text="What a split decision names.")
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    father_name = serializers.CharField()
    relationship = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.CharField()
    nationality = serializers.CharField()
    specific_needs = serializers.ListField(child=serializers.CharField())


class SharedCaseOut(serializers.Serializer):
    """What a submission shares with a delegation, and nothing more."""

    case_id = serializers.CharField()
    size = serializers.IntegerField()
    members = SharedMemberOut(many=True)
    submissions = SubmissionOut(many=True)


def case_payload(user, detail: dict) -> dict:
    if "shared" in detail:
        return SharedCaseOut(detail["shared"]).data
    rc = detail["rc"]
    return {
        "case_id": detail["case"].case_id,
        "state": detail["state"],
        "category": rc.category if rc else "",
        "priority": rc.priority if rc else "",
        "version": rc.version if rc else 0,
        "usage": detail["usage"],
        "allowed_actions": [a.code for a in detail["actions"]],
        "exit_checks": [c.kind for c in detail["exit_checks"]],
        "submissions": SubmissionOut(detail["submissions"], many=True).data,
        "history": TransitionOut(detail["history"], many=True).data,
    }


# Staff get the relocation record; a delegation the shared view of its submission.
CASE_OR_SHARED = PolymorphicProxySerializer(
    component_name="RelocationCaseOrShared",
    serializers=[RelocationCaseOut, SharedCaseOut],
    resource_type_field_name=None,
)


class RelocationCaseApi(APIView):
    @extend_schema(
        responses={200: CASE_OR_SHARED},
        description="A case's relocation state and history. A delegation gets "
        "the shared view (SharedCaseOut) instead.",
    )
    def get(self, request, case_id):
        _require_view(request)
        case = policy.get_case_for_user(request.user, case_id)
        detail = selectors.relocation_case_detail(user=request.user, case=case)
        return Response(case_payload(request.user, detail))


class TransitionIn(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[a for a, x in workflow.ACTIONS.items() if not x.internal]
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale step is refused."
    )
    pledge = serializers.IntegerField(required=False, help_text="submit, resubmit")
    reason = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, help_text="assess")
    priority = serializers.CharField(required=False, allow_blank=True, help_text="assess")
    note = serializers.CharField(required=False, allow_blank=True)
    question = serializers.CharField(required=False, allow_blank=True, help_text="request_info")
    answer = serializers.CharField(required=False, allow_blank=True, help_text="answer_info")
    separately = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="submit, resubmit: the reason to submit apart from linked cases",
    )
    on = serializers.DateField(required=False, help_text="request_info: needed by; defer: until")


def _step_params(request, data: dict) -> dict:
    params = {
        k: v
        for k, v in data.items()
        if k in ("reason", "category", "priority", "note", "question", "answer", "separately", "on")
    }
    if data.get("pledge") is not None:
        params["pledge"] = selectors.get_pledge_for_user(request.user, data["pledge"])
    return params


class RelocationTransitionApi(APIView):
    @extend_schema(request=TransitionIn, responses={200: CASE_OR_SHARED})
    def post(self, request, case_id):
        _require_view(request)
        case = policy.get_case_for_user(request.user, case_id)
        if isinstance(request.data, dict) and "kind" in request.data:
            # `kind` belonged to check_exit, removed with issue 19: a client still sending
            # it is told why instead of having it silently ignored.
            message = (
                "kind is no longer accepted: check_exit was removed; readiness facts are "
                "recorded per person (docs/readiness.md)."
            )
            return Response({"error": message, "fields": {"kind": [message]}}, status=400)
        body = TransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            services.case_transition(
                actor=request.user,
                case=case,
                action=data["action"],
                expected_version=data.get("version"),
                **_step_params(request, data),
            )
        except StaleState as exc:
            return Response({"error": str(exc), "fields": {"version": [str(exc)]}}, status=409)
        detail = selectors.relocation_case_detail(user=request.user, case=case)
        return Response(case_payload(request.user, detail))


class SubmissionListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("pledge", int),
            OpenApiParameter("decision", str, enum=["", "accepted", "rejected", "withdrawn"]),
        ],
        responses=SubmissionOut(many=True),
    )
    def get(self, request):
        _require_view(request)
        pledge = None
        if request.query_params.get("pledge"):
            pledge = selectors.get_pledge_for_user(request.user, request.query_params["pledge"])
        decision = request.query_params.get("decision")
        subs = selectors.submission_list(user=request.user, pledge=pledge, decision=decision)
        return Response(SubmissionOut(subs, many=True).data)


class DecisionIn(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=["accepted", "rejected", "deferred", "info_requested"]
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required for a rejection and a deferral."
    )
    members = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="accepted: the person ids accepted, when not the whole case (a split "
        "decision). Left out: the whole case.",
    )
    question = serializers.CharField(
        required=False, allow_blank=True, help_text="info_requested: what is needed."
    )
    on = serializers.DateField(
        required=False,
        help_text="info_requested: needed by (required); deferred: decision expected by.",
    )


class SubmissionDecisionApi(APIView):
    @extend_schema(request=DecisionIn, responses={200: SubmissionOut})
    def post(self, request, submission_id):
        _require_view(request)
        sub = selectors.get_submission_for_user(request.user, submission_id)
        policy.require(request.user, "relocation.decide")
        body = DecisionIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.submission_decide(
            actor=request.user,
            submission=sub,
            decision=body.validated_data["decision"],
            reason=body.validated_data.get("reason", ""),
            members=body.validated_data.get("members"),
            question=body.validated_data.get("question", ""),
            on=body.validated_data.get("on"),
        )
        sub.refresh_from_db()
        return Response(SubmissionOut(sub).data)


class BulkSubmitIn(serializers.Serializer):
    cases = serializers.ListField(child=serializers.CharField(), help_text="case ids")
    pledge = serializers.IntegerField()


class BulkSubmitOut(serializers.Serializer):
    submitted = serializers.ListField(child=serializers.CharField())


class BulkSubmitApi(APIView):
    @extend_schema(
        request=BulkSubmitIn,
        responses={200: BulkSubmitOut},
        description="All or nothing: a 400 lists, under `fields`, each case that "
        "cannot go and why; then nothing was submitted.",
    )
    def post(self, request):
        policy.require(request.user, "relocation.process")
        body = BulkSubmitIn(data=request.data)
        body.is_valid(raise_exception=True)
        pledge = selectors.get_pledge_for_user(request.user, body.validated_data["pledge"])
        cases = selectors.cases_by_id(user=request.user, case_ids=body.validated_data["cases"])
        steps = services.cases_submit_bulk(actor=request.user, cases=cases, pledge=pledge)
        return Response({"submitted": [s.case.case_id for s in steps]})


class FunnelApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("country", str),
            OpenApiParameter("pledge", int),
            OpenApiParameter("as_of", str, description="YYYY-MM-DD"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        _require_view(request)
        country = request.query_params.get("country") or None
        if selectors.is_delegation(request.user):
            if country and country.upper() != request.user.country:
                raise PermissionDenied(gettext("A delegation sees its own country's figures only."))
            country = request.user.country
        pledge = None
        if request.query_params.get("pledge"):
            pledge = selectors.get_pledge_for_user(request.user, request.query_params["pledge"])
        as_of = selectors.parse_date(request.query_params.get("as_of"), field="as_of")
        return Response(
            {
                "funnel": selectors.funnel(
                    country=country and country.upper(), pledge=pledge, as_of=as_of
                ),
                "average_days_in_state": selectors.average_days_in_state(
                    country=country and country.upper(), pledge=pledge, as_of=as_of
                ),
            }
        )
