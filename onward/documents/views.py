"""A person's documents: the list with versions, the upload form, the download.

Every file read goes through `services.open_for` (audited, protection tier for
protection officers only); the person is fetched through the policy's door, so another
country's or a missing person is a 404 with a `denied` entry.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.documents import services
from onward.documents.models import Document, DocumentType, DocumentVersion, Tier
from onward.web.access import permission_required, person_or_404
from onward.web.fields import DateField


class UploadForm(forms.Form):
    type = forms.ModelChoiceField(
        queryset=DocumentType.objects.order_by("name"), label=gettext_lazy("Type")
    )
    tier = forms.ChoiceField(
        choices=Tier.choices, initial=Tier.ORDINARY, label=gettext_lazy("Confidentiality")
    )
    valid_until = DateField(
        required=False,
        label=gettext_lazy("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file = forms.FileField(label=gettext_lazy("File (PDF, PNG or JPEG)"))


def _documents(user, person):
    docs = Document.objects.filter(person=person).select_related("type").order_by("-created_at")
    if not policy.can(user, "documents.protection"):
        docs = docs.exclude(tier=Tier.PROTECTION)
    return [(d, list(d.versions.order_by("-number"))) for d in docs]


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("documents.view")
def person_documents(request, person_id):
    person = person_or_404(request, person_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["tier"] == Tier.PROTECTION and not policy.can(request.user, "documents.protection"):
            form.add_error("tier", _("Only protection officers may store protection documents."))
        else:
            upload = data["file"]
            content = upload.read(services.MAX_BYTES + 1)
            try:
                services.sniff(content)
                existing = None
                if data["document"]:
                    existing = Document.objects.filter(pk=data["document"], person=person).first()
                    if existing is None:
                        raise ValidationError(_("No such document for this person."))
                doc = existing or Document(
                    person=person,
                    type=data["type"],
                    tier=data["tier"],
                    valid_until=data["valid_until"],
                )
                with transaction.atomic():
                    doc.save()
                    version = services.add_version(doc, content, upload.name, user=request.user)
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                audit_record(
                    actor=request.user,
                    action=AuditEntry.Action.CREATE,
                    object_type="document",
                    object_id=version.pk,
                    detail=f"person {person.person_id}",
                )
                messages.success(
                    request, _("Document stored (version %(n)d).") % {"n": version.number}
                )
                return redirect("person_documents", person_id=person.person_id)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="person",
        object_id=person.person_id,
        detail="documents",
    )
    return render(
        request,
        "documents/person_documents.html",
        {"person": person, "documents": _documents(request.user, person), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@permission_required("documents.view")
def document_download(request, version_id):
    version = (
        DocumentVersion.objects.select_related("document__person").filter(pk=version_id).first()
    )
    if version is None or version.document.person_id is None:
        policy.deny(request.user, "document", version_id)
        raise Http404(_("No document %(id)s.") % {"id": version_id})
    person_or_404(request, version.document.person.person_id)
    content = services.open_for(request.user, version)
    response = HttpResponse(content, content_type=version.content_type)
    response["Content-Disposition"] = f'attachment; filename="{version.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
