from django import forms
from django.utils.translation import gettext_lazy as _

from onward.consent.models import SHAREABLE_FIELDS, Method, Recipient
from onward.documents.models import DocumentType
from onward.web.fields import DateField

DATE = {"type": "date"}


class ConsentForm(forms.Form):
    recipient = forms.ChoiceField(choices=Recipient.choices, label=_("Recipient"))
    country = forms.CharField(
        max_length=3, required=False, label=_("Country (delegation or medical data)")
    )
    provider = forms.CharField(max_length=120, required=False, label=_("Service provider"))
    purpose = forms.CharField(max_length=200, label=_("Purpose"))
    method = forms.ChoiceField(choices=Method.choices, label=_("How it was given"))
    document = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Signed form (a document)")
    )
    witness = forms.CharField(max_length=120, required=False, label=_("Witness (verbal)"))
    guardian = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Guardian (for a child)")
    )
    given_on = DateField(label=_("Given on"), widget=forms.DateInput(attrs=DATE))
    expires_on = DateField(
        required=False, label=_("Expires on"), widget=forms.DateInput(attrs=DATE)
    )

    def __init__(self, *args, documents=(), guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "—")] + [
            (d.pk, f"{d.type} #{d.pk}") for d in documents
        ]
        self.fields["guardian"].choices = [("", "—")] + [
            (p.pk, f"{p.person_id} {p.full_name}") for p in guardians
        ]


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=255, label=_("Reason (as the person gave it)"))


class OverrideForm(forms.Form):
    country = forms.CharField(max_length=3, label=_("Country"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))


class AgreementForm(forms.Form):
    country = forms.CharField(max_length=3, label=_("Recipient country"))
    name = forms.CharField(max_length=120, label=_("Name"))
    fields_shared = forms.MultipleChoiceField(
        choices=list(SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        label=_("Fields shared"),
    )
    document_types = forms.ModelMultipleChoiceField(
        queryset=DocumentType.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Document types shared"),
    )
    valid_from = DateField(label=_("Valid from"), widget=forms.DateInput(attrs=DATE))
    valid_to = DateField(label=_("Valid to"), widget=forms.DateInput(attrs=DATE))


class ChooseDocumentForm(forms.Form):
    document = forms.TypedChoiceField(coerce=int, label=_("Document"))

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [(d.pk, f"{d.type} #{d.pk}") for d in documents]
