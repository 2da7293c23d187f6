"""REST API of matching: start a run, read it (figures, use per pledge, proposals,
unassigned cases and why), re-solve it with locks and forbids, accept its proposals.
Thin: parse, call selectors and services, render."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.accounts import policy as access
from onward.matching import inputs, selectors, services

PERM = "matching.run"
GAP_MAX = 0.999999


def _run(request, run_id):
    access.require(request.user, PERM)
    return selectors.get_run_for_user(request.user, run_id)


class RunOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    policy = serializers.DictField(help_text="The policy snapshot the run was scored with.")
    parent = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()
    cases = serializers.IntegerField()
    pledges = serializers.IntegerField()
    pairs = serializers.IntegerField()
    assigned = serializers.IntegerField(allow_null=True)
    objective = serializers.FloatField(allow_null=True)
    bound = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)
    seconds = serializers.FloatField(allow_null=True)
    solver_status = serializers.CharField()
    inputs_sha256 = serializers.CharField()
    as_of = serializers.CharField(allow_null=True)
    dimensions = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField()
    job = serializers.CharField(allow_null=True)


class DimOut(serializers.Serializer):
    dim = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True, help_text="null: not counted")
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)


class ProposalOut(serializers.Serializer):
    case_id = serializers.CharField()
    size = serializers.IntegerField()
    priority = serializers.CharField()
    score = serializers.FloatField()
    why = serializers.CharField()
    locked = serializers.BooleanField()


class PledgeProposalOut(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    dims = DimOut(many=True)
    proposals = ProposalOut(many=True)
    accepted = serializers.BooleanField()


class UnassignedOut(serializers.Serializer):
    case_id = serializers.CharField()
    size = serializers.IntegerField()
    priority = serializers.CharField()
    why = serializers.ListField(child=serializers.CharField())


class RunDetailOut(RunOut):
    pledge_proposals = PledgeProposalOut(many=True)
    unassigned = UnassignedOut(many=True)
    nothing_placed = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="When the run placed no case, why (null when it placed some).",
    )
    locks = serializers.ListField(child=serializers.DictField())
    forbids = serializers.ListField(child=serializers.DictField())


class RunIn(serializers.Serializer):
    policy = serializers.IntegerField(
        required=False, allow_null=True, help_text="A current policy version; default Standard."
    )
    time_limit = serializers.FloatField(
        required=False, default=60.0, min_value=1, max_value=3600, help_text="seconds"
    )
    # Below 1 (the service refuses 1): the largest bound a schema can state inclusively.
    gap = serializers.FloatField(required=False, default=1e-4, min_value=0, max_value=GAP_MAX)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    predictions = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="[{case_id, pledge_id | country, predicted (0–1)}]",
    )


class PairIn(serializers.Serializer):
    case_id = serializers.CharField()
    pledge_id = serializers.IntegerField()


class ResolveIn(serializers.Serializer):
    locks = PairIn(many=True, required=False, help_text="Added to the run's own locks.")
    forbids = PairIn(many=True, required=False, help_text="Added to the run's own forbids.")
    release = PairIn(many=True, required=False, help_text="Taken off the run's own pins.")
    time_limit = serializers.FloatField(
        required=False, min_value=1, max_value=3600, help_text="seconds"
    )


class AcceptIn(serializers.Serializer):
    pledges = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Pledge ids; default every pledge with proposals not yet accepted.",
    )


class AcceptOut(serializers.Serializer):
    submitted = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{pledge id: [case ids submitted]}",
    )


def _detail(user, run) -> dict:
    d = selectors.run_detail(user=user, run=run)
    pins = d["pins"]
    return {
        **d["summary"],
        "pledge_proposals": [
            {**r, "accepted": r["accepted"] is not None} for r in d["pledge_rows"]
        ],
        "unassigned": d["unassigned"],
        "nothing_placed": d["nothing_placed"],
        "locks": [p for p in pins if p["kind"] == "lock"],
        "forbids": [p for p in pins if p["kind"] == "forbid"],
    }


def _predictions(rows) -> dict | None:
    if not rows:
        return None
    lines = ["case_id,pledge_id,country,predicted"]
    for r in rows:
        lines.append(
            ",".join(
                str(r.get(k, "") or "").replace(",", " ")
                for k in ("case_id", "pledge_id", "country", "predicted")
            )
        )
    return inputs.predictions_parse("\n".join(lines))


class RunListApi(APIView):
    @extend_schema(responses=RunOut(many=True))
    def get(self, request):
        access.require(request.user, PERM)
        runs = selectors.run_list(user=request.user)[:200]
        return Response([selectors.run_summary(r) for r in runs])

    @extend_schema(request=RunIn, responses={201: RunOut})
    def post(self, request):
        access.require(request.user, PERM)
        body = RunIn(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        policy = None
        if d.get("policy"):
            try:
                policy = selectors.get_policy_for_user(request.user, d["policy"])
            except access.NotFound:
                from django.core.exceptions import ValidationError

                raise ValidationError(
                    {"policy": _("No policy %(policy)s.") % {"policy": d["policy"]}}
                ) from None
        run = services.run_start(
            actor=request.user,
            policy=policy,
            time_limit=d["time_limit"],
            gap=d["gap"],
            note=d["note"],
            predictions=_predictions(d.get("predictions")),
        )
        return Response(selectors.run_summary(run), status=201)


class RunDetailApi(APIView):
    @extend_schema(responses=RunDetailOut)
    def get(self, request, run_id):
        return Response(_detail(request.user, _run(request, run_id)))


class RunResolveApi(APIView):
    @extend_schema(request=ResolveIn, responses={201: RunOut})
    def post(self, request, run_id):
        run = _run(request, run_id)
        body = ResolveIn(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        with transaction.atomic():
            for kind, key in (("release", "release"), ("lock", "locks"), ("forbid", "forbids")):
                for pair in d.get(key, []):
                    services.pin_set(
                        actor=request.user,
                        run=run,
                        case_id=pair["case_id"],
                        pledge_id=pair["pledge_id"],
                        kind=kind,
                    )
            child = services.run_resolve(
                actor=request.user, run=run, time_limit=d.get("time_limit")
            )
        return Response(selectors.run_summary(child), status=201)


class RunAcceptApi(APIView):
    @extend_schema(request=AcceptIn, responses=AcceptOut)
    def post(self, request, run_id):
        run = _run(request, run_id)
        body = AcceptIn(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.run_accept(
            actor=request.user, run=run, pledge_ids=body.validated_data.get("pledges")
        )
        return Response({"submitted": {str(k): v for k, v in done.items()}})
