"""REST API of the registry. Thin: parse, call the selectors and services, render."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from onward import bounds
from onward.accounts.policy import get_case_for_user, get_person_for_user, require
from onward.registry import codes, selectors, services, validation
from onward.registry.models import Case, Person
from onward.web.pagination import CappedPaginator


class PersonOut(serializers.ModelSerializer):
    case_id = serializers.CharField(source="case.case_id")
    birth_date = serializers.CharField(source="birth_date_display")
    specific_needs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "person_id",
            "case_id",
            "relationship",
            "given_name",
            "family_name",
            "father_name",
            "given_name_arabic",
            "family_name_arabic",
            "sex",
            "birth_date",
            "nationality",
            "document_number",
            "phone",
            "specific_needs",
            "needs_detail",
            "arrival_date",
            "removed_at",
            "removed_reason",
            "version",
        ]


class PersonIn(serializers.Serializer):
    """Raw values; the registry's own rules (services.clean_person_fields) validate them."""

    relationship = serializers.CharField(required=False)
    given_name = serializers.CharField(required=False, allow_blank=True)
    family_name = serializers.CharField(required=False, allow_blank=True)
    father_name = serializers.CharField(required=False, allow_blank=True)
    given_name_arabic = serializers.CharField(
        required=False, allow_blank=True, help_text="The given name in Arabic script"
    )
    family_name_arabic = serializers.CharField(
        required=False, allow_blank=True, help_text="The family name in Arabic script"
    )
    sex = serializers.CharField(required=False, allow_blank=True)
    birth_date = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY-MM-DD, YYYY-MM or YYYY"
    )
    nationality = serializers.CharField(required=False, allow_blank=True)
    document_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    specific_needs = serializers.ListField(child=serializers.CharField(), required=False)
    needs_detail = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Details of the specific needs (encrypted)",
    )


class PersonPatch(PersonIn):
    version = serializers.IntegerField(help_text="The version you read; a stale edit is refused.")


class PrincipalIn(PersonIn):
    """A new case's principal applicant: a given name at least (services.case_create)."""

    given_name = serializers.CharField(max_length=100)


class MemberIn(PrincipalIn):
    """A member added to a case: a given name and the relationship to the principal."""

    relationship = serializers.CharField(
        help_text=f"One of {', '.join(codes.RELATIONSHIPS)} (in any case).",
        validators=[RegexValidator(validation.any_case_pattern(codes.RELATIONSHIPS))],
    )


class CaseOut(serializers.ModelSerializer):
    size = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Case
        fields = [
            "case_id",
            "status",
            "arrival_date",
            "removed_at",
            "removed_reason",
            "size",
            "version",
        ]


class CaseDetailOut(CaseOut):
    members = PersonOut(many=True)

    class Meta(CaseOut.Meta):
        fields = [*CaseOut.Meta.fields, "members"]


class CaseIn(serializers.Serializer):
    arrival_date = serializers.DateField(
        required=False, allow_null=True, validators=[bounds.validator(bounds.check_event_date)]
    )
    principal = PrincipalIn()


def _filters(request, names):
    return {name: request.query_params.get(name, "") for name in names}


class PersonPagination(PageNumberPagination):
    """Pages of 50; `count` stops at 10,000 (`count_capped`: there are more)."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true: count is a lower bound (10,000)",
        }
        return schema


PERSON_FILTERS = ("q", "sex", "nationality", "need", "age_band", "case_status")


@extend_schema(parameters=[OpenApiParameter(n, str) for n in PERSON_FILTERS])
class PersonListApi(ListAPIView):
    serializer_class = PersonOut
    pagination_class = PersonPagination

    def get_queryset(self):
        require(self.request.user, "registry.view")
        return selectors.person_list(
            user=self.request.user, **_filters(self.request, PERSON_FILTERS)
        ).prefetch_related("specific_needs")


class PersonLookupIn(serializers.Serializer):
    """An exact identifier, in the body so that it never appears in a URL or access log."""

    document_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)

    def validate(self, attrs):
        if not (attrs.get("document_number") or attrs.get("phone")):
            raise serializers.ValidationError(
                {"document_number": _("Give a document number or a phone (or both).")}
            )
        return attrs


LOOKUP_LIMIT = 100


class PersonLookupApi(APIView):
    """Persons whose document number or phone is exactly the one given (either matches;
    spaces, dashes and a phone's country code do not matter). At most 100."""

    @extend_schema(request=PersonLookupIn, responses=PersonOut(many=True))
    def post(self, request):
        require(request.user, "registry.view")
        body = PersonLookupIn(data=request.data)
        body.is_valid(raise_exception=True)
        persons = selectors.person_lookup(user=request.user, **body.validated_data)
        return Response(
            PersonOut(persons.prefetch_related("specific_needs")[:LOOKUP_LIMIT], many=True).data
        )


class PersonGoneOut(serializers.Serializer):
    """No person with this id, or not one you may see; for an id merged into another
    record (and a survivor you may see), `merged_into` gives the survivor's id."""

    error = serializers.CharField()
    merged_into = serializers.CharField(
        required=False, help_text="The survivor's person id: read or edit that record."
    )
    merged_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When this id was merged (null: unknown)."
    )


def _person(request, person_id: str) -> tuple[Person | None, Response | None]:
    """(the person, None) through the policy's door, or (None, the answer) for an id
    merged into a survivor the user may see: 404 with `merged_into` (a merge can be undone,
    so no permanent redirect, and a write meant for the merged record never lands on
    another one). Anything else is the door's NotFound, audited as `denied`."""
    from onward.dedup.selectors import merged_away

    moved = merged_away(user=request.user, person_id=person_id)
    if moved is None:
        return get_person_for_user(request.user, person_id), None
    return None, Response(
        {
            "error": moved["notice"],
            "merged_into": moved["survivor"].person_id,
            "merged_at": moved["merged_at"],
        },
        status=404,
    )


PERSON_404 = OpenApiResponse(
    PersonGoneOut,
    description=(
        "No such person, or not one you may see. A person id merged into another record gives "
        "`merged_into`, the survivor's id."
    ),
)


class PersonDetailApi(APIView):
    @extend_schema(responses={200: PersonOut, 404: PERSON_404})
    def get(self, request, person_id):
        require(request.user, "registry.view")
        person, gone = _person(request, person_id)
        if gone:
            return gone
        return Response(PersonOut(selectors.person_detail(user=request.user, person=person)).data)

    @extend_schema(request=PersonPatch, responses={200: PersonOut, 404: PERSON_404})
    def patch(self, request, person_id):
        require(request.user, "registry.edit")
        person, gone = _person(request, person_id)
        if gone:
            return gone
        body = PersonPatch(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        version = changes.pop("version")
        person = services.person_update(
            actor=request.user, person=person, expected_version=version, changes=changes
        )
        return Response(PersonOut(person).data)


CASE_FILTERS = ("q", "status", "need", "nationality")


# The filters are the list's (GET), not the create's (POST).
@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter(n, str) for n in CASE_FILTERS]))
class CaseListApi(ListAPIView):
    serializer_class = CaseOut

    def get_queryset(self):
        # The registry's full records; delegations read their submissions through the
        # relocation API, which shows only the fields a submission shares.
        require(self.request.user, "registry.view")
        return selectors.case_list(user=self.request.user, **_filters(self.request, CASE_FILTERS))

    @extend_schema(request=CaseIn, responses={201: CaseDetailOut})
    def post(self, request):
        require(request.user, "registry.create")
        body = CaseIn(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.case_create(
            actor=request.user,
            principal=body.validated_data["principal"],
            arrival_date=body.validated_data.get("arrival_date"),
        )
        data = CaseDetailOut(case).data
        data["size"] = len(data["members"])  # the schema promises it, as in the list
        return Response(data, status=201)


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailOut)
    def get(self, request, case_id):
        require(request.user, "registry.view")
        case = get_case_for_user(request.user, case_id)
        detail = selectors.case_detail(user=request.user, case=case)
        data = CaseOut(case).data
        data["members"] = PersonOut(detail["members"], many=True).data
        data["size"] = len(detail["members"])  # the schema promises it, as in the list
        return Response(data)


class CaseMembersApi(APIView):
    @extend_schema(request=MemberIn, responses={201: PersonOut})
    def post(self, request, case_id):
        require(request.user, "registry.create")
        case = get_case_for_user(request.user, case_id)
        body = MemberIn(data=request.data)
        body.is_valid(raise_exception=True)
        person = services.person_add(actor=request.user, case=case, person=body.validated_data)
        return Response(PersonOut(person).data, status=201)
