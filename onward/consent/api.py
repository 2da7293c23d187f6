"""REST API of the dossier: the same door and the same watermark as the pages."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.consent import selectors
from onward.consent.watermark import Unmarkable


class DossierDocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    download = serializers.CharField()


class DossierOut(serializers.Serializer):
    submission = serializers.IntegerField()
    country = serializers.CharField()
    closed = serializers.CharField(
        help_text="Why the dossier is closed (staff only; empty if open)."
    )
    agreement = serializers.CharField()
    valid_to = serializers.DateField(allow_null=True)  # no agreement in force: null
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    members = serializers.ListField(child=serializers.DictField())
    documents = DossierDocumentOut(many=True)


class DossierApi(APIView):
    @extend_schema(responses=DossierOut)
    def get(self, request, submission_id):
        d = selectors.get_dossier_for_user(request.user, submission_id)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type="dossier",
            object_id=d.submission.pk,
            detail=f"api · {d.country} · {len(d.members)} members",
        )
        return Response(
            {
                "submission": d.submission.pk,
                "country": d.country,
                "closed": d.closed,
                "agreement": d.agreement.name if d.agreement else "",
                "valid_to": d.agreement.valid_to if d.agreement else None,
                "fields": d.fields,
                "members": d.members,
                "documents": [
                    {
                        "id": doc.pk,
                        "type": str(doc.type),
                        "download": f"/api/dossiers/{d.submission.pk}/documents/{doc.pk}/",
                    }
                    for doc in d.documents
                ],
            }
        )


class DossierDocumentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, submission_id, file_id):
        from onward.consent.views import watermarked_download

        d = selectors.get_dossier_for_user(request.user, submission_id)
        doc = selectors.dossier_document_for_user(request.user, d, file_id)
        try:
            name, content_type, content = watermarked_download(request.user, d, doc)
        except Unmarkable as exc:
            return Response({"detail": _("Not shared: %(why)s.") % {"why": exc}}, status=409)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
