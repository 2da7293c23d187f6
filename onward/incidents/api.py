"""REST API of incidents and claims. Thin: parse, call the selectors and services, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.accounts.policy import get_person_for_user, require
from onward.incidents import selectors, services
from onward.incidents.models import Claim, Incident


class ClaimOut(serializers.ModelSerializer):
    class Meta:
        model = Claim
        fields = [
            "id",
            "source",
            "cites",
            "stated_on",
            "killed",
            "injured",
            "missing",
            "figures_text",
            "summary",
            "publication",
            "official",
        ]


class ClaimIn(serializers.Serializer):
    source = serializers.CharField()
    cites = serializers.CharField(required=False, allow_blank=True)
    stated_on = serializers.DateField()
    killed = serializers.IntegerField(required=False, allow_null=True)
    injured = serializers.IntegerField(required=False, allow_null=True)
    missing = serializers.IntegerField(required=False, allow_null=True)
    figures_text = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    publication = serializers.CharField(required=False, allow_blank=True)
    official = serializers.BooleanField(required=False, default=False)


class IncidentOut(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = [
            "id",
            "occurred_at",
            "time_known",
            "date_precision",
            "type",
            "within_site",
            "place",
            "description",
        ]


class IncidentIn(serializers.Serializer):
    occurred_at = serializers.CharField(help_text="YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    time_known = serializers.BooleanField(required=False, default=True)
    date_precision = serializers.ChoiceField(choices=["D", "M"], required=False, default="D")
    type = serializers.ChoiceField(choices=Incident.Type.values)
    within_site = serializers.BooleanField(required=False, default=True)
    place = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class FigureOut(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True)
    claim = serializers.IntegerField(source="claim.pk", allow_null=True, default=None)
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)
    n = serializers.IntegerField(help_text="claims that give a number")


class IncidentDetailOut(IncidentOut):
    claims = ClaimOut(many=True)
    rule = serializers.CharField()
    figures = serializers.DictField(child=FigureOut())

    class Meta(IncidentOut.Meta):
        fields = [*IncidentOut.Meta.fields, "claims", "rule", "figures"]


class IncidentListApi(ListAPIView):
    serializer_class = IncidentOut

    def get_queryset(self):
        require(self.request.user, "incidents.view")
        return selectors.incident_list(
            user=self.request.user, type=self.request.query_params.get("type", "")
        )

    @extend_schema(request=IncidentIn, responses={201: IncidentOut})
    def post(self, request):
        require(request.user, "incidents.record")
        body = IncidentIn(data=request.data)
        body.is_valid(raise_exception=True)
        incident = services.incident_create(actor=request.user, data=body.validated_data)
        return Response(IncidentOut(incident).data, status=201)


class IncidentDetailApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("rule", str, enum=list(selectors.RULES))],
        responses=IncidentDetailOut,
    )
    def get(self, request, incident_id):
        incident = selectors.get_incident_for_user(request.user, incident_id)
        rule = request.query_params.get("rule", "latest_official")
        if rule not in selectors.RULES:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {"rule": _("One of %(choices)s.") % {"choices": ", ".join(selectors.RULES)}}
            )
        detail = selectors.incident_detail(user=request.user, incident=incident, rule=rule)
        data = IncidentOut(incident).data
        data["claims"] = ClaimOut(detail["claims"], many=True).data
        data["rule"] = rule
        data["figures"] = {k: FigureOut(v).data for k, v in detail["figures"].items()}
        return Response(data)


class IncidentClaimsApi(APIView):
    @extend_schema(responses=ClaimOut(many=True))
    def get(self, request, incident_id):
        incident = selectors.get_incident_for_user(request.user, incident_id)
        return Response(ClaimOut(incident.claims.all(), many=True).data)

    @extend_schema(request=ClaimIn, responses={201: ClaimOut})
    def post(self, request, incident_id):
        require(request.user, "incidents.record")
        incident = selectors.get_incident_for_user(request.user, incident_id)
        body = ClaimIn(data=request.data)
        body.is_valid(raise_exception=True)
        claim = services.claim_add(actor=request.user, incident=incident, data=body.validated_data)
        return Response(ClaimOut(claim).data, status=201)


class VictimIn(serializers.Serializer):
    person_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["killed", "injured"])


class VictimOut(serializers.Serializer):
    person_id = serializers.CharField(source="person.person_id")
    outcome = serializers.CharField()
    ledger_entry = serializers.IntegerField(source="ledger_entry_id", allow_null=True)


class IncidentVictimsApi(APIView):
    @extend_schema(request=VictimIn, responses={201: VictimOut})
    def post(self, request, incident_id):
        require(request.user, "incidents.record")
        incident = selectors.get_incident_for_user(request.user, incident_id)
        body = VictimIn(data=request.data)
        body.is_valid(raise_exception=True)
        person = get_person_for_user(request.user, body.validated_data["person_id"])
        victim = services.victim_link(
            actor=request.user,
            incident=incident,
            person=person,
            outcome=body.validated_data["outcome"],
        )
        return Response(VictimOut(victim).data, status=201)
