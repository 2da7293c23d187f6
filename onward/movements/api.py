"""REST API of the movements app. Thin: parse, call the selectors and services, render."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from onward import bounds
from onward.accounts.policy import get_case_for_user, get_person_for_user, require
from onward.movements import rollup, selectors, services
from onward.movements.models import LedgerEntry, Transfer


def _date_param(request, name, default=None):
    from django.core.exceptions import ValidationError

    raw = request.query_params.get(name, "")
    if not raw:
        return default
    try:
        return bounds.parse_date(raw)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None


class PopulationOut(serializers.Serializer):
    on = serializers.DateField()
    total = serializers.IntegerField()
    by_sex = serializers.DictField(child=serializers.IntegerField())
    by_age_band = serializers.DictField(child=serializers.IntegerField())
    by_need = serializers.DictField(child=serializers.IntegerField())


class PopulationApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("on", dt.date, description="default: today")],
        responses=PopulationOut,
    )
    def get(self, request):
        require(request.user, "movements.view")
        on = _date_param(request, "on", timezone.localdate())
        return Response(PopulationOut(rollup.rollup_breakdown(on)).data)


class SeriesRow(serializers.Serializer):
    month = serializers.DateField()
    end = serializers.DateField()
    net = serializers.IntegerField()
    population = serializers.IntegerField()


class PopulationSeriesApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", dt.date), OpenApiParameter("to", dt.date)],
        responses=SeriesRow(many=True),
    )
    def get(self, request):
        require(request.user, "movements.view")
        end = _date_param(request, "to", timezone.localdate())
        start = _date_param(request, "from", end - dt.timedelta(days=365))
        return Response(SeriesRow(rollup.rollup_monthly_series(start, end), many=True).data)


class EntryOut(serializers.ModelSerializer):
    person_id = serializers.CharField(source="person.person_id")
    case_id = serializers.CharField(source="person.case.case_id")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "date",
            "kind",
            "delta",
            "person_id",
            "case_id",
            "reverses",
            "note",
            "recorded_at",
        ]


class DepartureIn(serializers.Serializer):
    person_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k.value for k in services.RECORDABLE_DEPARTURES])
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


def _year_param(request) -> int | None:
    from django.core.exceptions import ValidationError

    raw = request.query_params.get("year", "")
    if not raw:
        return None
    if not (raw.isdigit() and 1 <= int(raw) <= 9999):
        raise ValidationError({"year": _("A year from 1 to 9999, such as 2013.")})
    return int(raw)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("year", {"type": "integer", "minimum": 1, "maximum": 9999}),
        ]
    )
)
class DepartureListApi(ListAPIView):
    """Departures that stand (not reversed); POST records one."""

    serializer_class = EntryOut

    def get_queryset(self):
        require(self.request.user, "movements.view")
        return selectors.departures(
            user=self.request.user,
            kind=self.request.query_params.get("kind", ""),
            year=_year_param(self.request),
        )

    @extend_schema(request=DepartureIn, responses={201: EntryOut})
    def post(self, request):
        require(request.user, "movements.record")
        body = DepartureIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = get_person_for_user(request.user, data["person_id"])
        entry = services.departure_record(
            actor=request.user,
            person=person,
            kind=data["kind"],
            on=data["on"],
            note=data.get("note", ""),
        )
        return Response(EntryOut(entry).data, status=201)


class CorrectionIn(serializers.Serializer):
    reason = serializers.CharField()


class DepartureCorrectionApi(APIView):
    @extend_schema(request=CorrectionIn, responses={201: EntryOut})
    def post(self, request, person_id):
        require(request.user, "movements.record")
        person = get_person_for_user(request.user, person_id)
        body = CorrectionIn(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.departure_correct(
            actor=request.user, person=person, reason=body.validated_data["reason"]
        )
        return Response(EntryOut(entry).data, status=201)


class BirthIn(serializers.Serializer):
    mother_id = serializers.CharField()
    on = serializers.DateField()
    given_name = serializers.CharField()
    family_name = serializers.CharField(required=False, allow_blank=True)
    father_name = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.CharField(required=False, allow_blank=True)


class BirthApi(APIView):
    @extend_schema(request=BirthIn, responses={201: EntryOut})
    def post(self, request):
        require(request.user, "movements.record")
        body = BirthIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        mother = get_person_for_user(request.user, data.pop("mother_id"))
        child = services.birth_record(
            actor=request.user, mother=mother, on=data.pop("on"), child=data
        )
        return Response(EntryOut(child.ledger_entries.get()).data, status=201)


class LineOut(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.CharField(source="case.case_id")
    person_ids = serializers.SerializerMethodField()
    removed_at = serializers.DateTimeField()
    removed_reason = serializers.CharField()

    def get_person_ids(self, line) -> list[str]:
        return sorted(p.person_id for p in line.persons.all())


class TransferOut(serializers.ModelSerializer):
    lines = LineOut(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "date",
            "country",
            "pledge",
            "seats",
            "status",
            "note",
            "version",
            "confirmed_at",
            "lines",
        ]


class TransferIn(serializers.Serializer):
    pledge = serializers.IntegerField()
    date = serializers.DateField()
    seats = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True)


class TransferListApi(ListAPIView):
    serializer_class = TransferOut

    def get_queryset(self):
        require(self.request.user, "movements.view")
        return selectors.transfer_list(user=self.request.user).prefetch_related(
            "lines__persons", "lines__case"
        )

    @extend_schema(request=TransferIn, responses={201: TransferOut})
    def post(self, request):
        from onward.relocation.selectors import get_pledge_for_user

        require(request.user, "transfers.manage")
        body = TransferIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        transfer = services.transfer_plan(
            actor=request.user,
            pledge=get_pledge_for_user(request.user, data["pledge"]),
            date=data["date"],
            seats=data["seats"],
            note=data.get("note", ""),
        )
        return Response(TransferOut(transfer).data, status=201)


class TransferDetailApi(APIView):
    @extend_schema(responses=TransferOut)
    def get(self, request, transfer_id):
        transfer = selectors.get_transfer_for_user(request.user, transfer_id)
        selectors.transfer_detail(user=request.user, transfer=transfer)
        return Response(TransferOut(transfer).data)


class ManifestIn(serializers.Serializer):
    case_id = serializers.CharField()


class TransferCasesApi(APIView):
    @extend_schema(request=ManifestIn, responses={201: TransferOut})
    def post(self, request, transfer_id):
        require(request.user, "transfers.manage")
        transfer = selectors.get_transfer_for_user(request.user, transfer_id)
        body = ManifestIn(data=request.data)
        body.is_valid(raise_exception=True)
        case = get_case_for_user(request.user, body.validated_data["case_id"])
        services.transfer_case_add(actor=request.user, transfer=transfer, case=case)
        return Response(TransferOut(transfer).data, status=201)


class ConfirmIn(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class TransferConfirmApi(APIView):
    @extend_schema(request=ConfirmIn, responses=TransferOut)
    def post(self, request, transfer_id):
        require(request.user, "transfers.manage")
        transfer = selectors.get_transfer_for_user(request.user, transfer_id)
        body = ConfirmIn(data=request.data)
        body.is_valid(raise_exception=True)
        transfer = services.transfer_confirm(
            actor=request.user,
            transfer=transfer,
            expected_version=body.validated_data.get("version"),
        )
        return Response(TransferOut(transfer).data)


class DateIn(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField()
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale change is refused."
    )


class TransferDateApi(APIView):
    """Moves a planned transfer to another day, with the reason (refused once departed)."""

    @extend_schema(request=DateIn, responses=TransferOut)
    def post(self, request, transfer_id):
        require(request.user, "transfers.manage")
        transfer = selectors.get_transfer_for_user(request.user, transfer_id)
        body = DateIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        transfer = services.transfer_reschedule(
            actor=request.user,
            transfer=transfer,
            date=data["date"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return Response(TransferOut(transfer).data)
