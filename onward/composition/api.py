"""REST API of case composition: the same moves, splits, links and undos as the page,
through the same services. Thin: parse, call the services, render.

Every case, the target of a move or a link included, is fetched through the policy's
door (404 and a `denied` entry for a case the user may not see); a refusal of the rules
is a 400 that names the rule (onward/api/errors.py)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.composition import selectors, services
from onward.composition.models import CaseChange, CaseLink
from onward.composition.services import REASON_MAX
from onward.registry import codes

PERMISSION = "registry.compose"


class MemberOut(serializers.Serializer):
    person_id = serializers.CharField()
    relationship = serializers.CharField()


class ChangeOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    persons = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField()
    undone_at = serializers.DateTimeField(allow_null=True)
    undo_reason = serializers.CharField()


class LinkOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    other = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()


class CompositionOut(serializers.Serializer):
    case_id = serializers.CharField()
    members = MemberOut(many=True)
    changes = ChangeOut(many=True)
    links = LinkOut(many=True)


def _payload(case) -> dict:
    detail = selectors.case_composition(case)
    return {
        "case_id": case.case_id,
        "members": [
            {"person_id": p.person_id, "relationship": p.relationship} for p in detail["members"]
        ],
        "changes": [
            {
                "id": c.pk,
                "kind": c.kind,
                "source": c.source.case_id,
                "target": c.target.case_id,
                "persons": row["persons"],
                "reason": c.reason,
                "at": c.at,
                "by": c.by.username,
                "undone_at": c.undone_at,
                "undo_reason": c.undo_reason,
            }
            for row in detail["changes"]
            for c in [row["change"]]
        ],
        "links": [
            {
                "id": row["link"].pk,
                "kind": row["link"].kind,
                "other": row["other"].case_id,
                "reason": row["link"].reason,
                "created_at": row["link"].created_at,
                "ended_at": row["link"].ended_at,
                "end_reason": row["link"].end_reason,
            }
            for row in detail["links"]
        ],
    }


def _case(request, case_id: str):
    """The permission first (a delegation is refused before any lookup), then the door."""
    policy.require(request.user, PERMISSION)
    return policy.get_case_for_user(request.user, case_id)


def _answer(request, case) -> Response:
    """The case's composition as it now stands; the read is audited (it names members)."""
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="case",
        object_id=case.case_id,
        detail="composition",
    )
    return Response(_payload(case))


def _member(case, person_id: str, field: str):
    """A present member of the case, or a refusal that names the field."""
    found = next(
        (p for p in selectors.case_composition(case)["members"] if p.person_id == person_id),
        None,
    )
    if found is None:
        message = _("%(person)s is not a member of case %(case)s.")
        raise ValidationError({field: [message % {"person": person_id[:32], "case": case.case_id}]})
    return found


class _Reason(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Kept on record.")


class MoveIn(_Reason):
    person = serializers.CharField(max_length=32, help_text="A member of this case.")
    target = serializers.CharField(max_length=32, help_text="The case the member joins.")
    relationship = serializers.ChoiceField(
        choices=[k for k in codes.RELATIONSHIPS if k != "principal"],
        help_text="The member's relationship in the target case.",
    )
    new_principal = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="When the principal applicant moves: who takes their place here.",
    )


class SplitIn(_Reason):
    persons = serializers.ListField(
        child=serializers.CharField(max_length=32), min_length=1, max_length=100
    )
    principal = serializers.CharField(max_length=32, help_text="One of `persons`.")


class LinkIn(_Reason):
    other = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=CaseLink.Kind.values)


def _of_case(request, model, pk: int, case, ends: tuple[str, str]):
    """A change or a link of this case; any other id is "not there", audited as denied
    like a case outside the user's scope."""
    found = model.objects.filter(pk=pk).first()
    if found is None or case.pk not in (getattr(found, ends[0]), getattr(found, ends[1])):
        policy.deny(request.user, model.audit_type, pk)
        raise policy.NotFound(
            _("No %(record)s %(id)s of case %(case)s.")
            % {"record": policy.record_noun(model.audit_type), "id": pk, "case": case.case_id}
        )
    return found


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class CompositionApi(APIView):
    @extend_schema(responses={200: CompositionOut})
    def get(self, request, case_id):
        return _answer(request, _case(request, case_id))


class MoveApi(APIView):
    @extend_schema(request=MoveIn, responses={200: CompositionOut})
    def post(self, request, case_id):
        case = _case(request, case_id)
        data = _body(MoveIn, request)
        person = _member(case, data["person"], "person")
        target = policy.get_case_for_user(request.user, data["target"])
        new_principal = None
        if data.get("new_principal"):
            new_principal = _member(case, data["new_principal"], "new_principal")
        services.person_move(
            actor=request.user,
            person=person,
            target=target,
            relationship=data["relationship"],
            new_principal=new_principal,
            reason=data["reason"],
        )
        return _answer(request, case)


class SplitApi(APIView):
    @extend_schema(request=SplitIn, responses={200: CompositionOut})
    def post(self, request, case_id):
        case = _case(request, case_id)
        data = _body(SplitIn, request)
        services.case_split(
            actor=request.user,
            case=case,
            persons=[_member(case, pid, "persons") for pid in data["persons"]],
            principal=_member(case, data["principal"], "principal"),
            reason=data["reason"],
        )
        return _answer(request, case)


class LinkApi(APIView):
    @extend_schema(request=LinkIn, responses={200: CompositionOut})
    def post(self, request, case_id):
        case = _case(request, case_id)
        data = _body(LinkIn, request)
        other = policy.get_case_for_user(request.user, data["other"])
        services.cases_link(
            actor=request.user, case=case, other=other, kind=data["kind"], reason=data["reason"]
        )
        return _answer(request, case)


class UndoApi(APIView):
    @extend_schema(request=_Reason, responses={200: CompositionOut})
    def post(self, request, case_id, change_id):
        case = _case(request, case_id)
        change = _of_case(request, CaseChange, change_id, case, ("source_id", "target_id"))
        services.change_undo(
            actor=request.user, change=change, reason=_body(_Reason, request)["reason"]
        )
        return _answer(request, case)


class LinkEndApi(APIView):
    @extend_schema(request=_Reason, responses={200: CompositionOut})
    def post(self, request, case_id, link_id):
        case = _case(request, case_id)
        found = _of_case(request, CaseLink, link_id, case, ("case_a_id", "case_b_id"))
        services.link_end(actor=request.user, link=found, reason=_body(_Reason, request)["reason"])
        return _answer(request, case)
