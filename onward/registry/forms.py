"""Forms parse what a user typed; the registry's services validate and write it."""

from django import forms

from onward import bounds
from onward.registry import codes
from onward.registry.models import SpecificNeed


def _needs_choices():
    return [(n.code, f"{n.code} – {n.label}") for n in SpecificNeed.objects.filter(active=True)]


# Names are typed in Latin or Arabic script: the field follows what is typed (right to
# left for زهرا غفارزاده) whatever the page's direction.
_NAME = forms.TextInput(attrs={"dir": "auto"})


class PersonForm(forms.Form):
    relationship = forms.ChoiceField(choices=codes.RELATIONSHIPS.items())
    given_name = forms.CharField(max_length=100, widget=_NAME)
    family_name = forms.CharField(max_length=100, required=False, widget=_NAME)
    father_name = forms.CharField(
        max_length=100, required=False, label="Father's name", widget=_NAME
    )
    sex = forms.ChoiceField(choices=[("", "Unknown"), *codes.SEX.items()], required=False)
    birth_date = forms.CharField(
        required=False, help_text="YYYY-MM-DD, or YYYY-MM / YYYY when only part is known."
    )
    nationality = forms.CharField(
        max_length=3, required=False, help_text="ISO 3166-1 alpha-3, e.g. IRN, IRQ."
    )
    document_number = forms.CharField(max_length=40, required=False)
    phone = forms.CharField(max_length=40, required=False)
    specific_needs = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    needs_detail = forms.CharField(
        max_length=2000,
        required=False,
        label="Details of specific needs",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Confidential; stored encrypted.",
    )

    def __init__(self, *args, with_relationship: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specific_needs"].choices = _needs_choices()
        if not with_relationship:
            del self.fields["relationship"]

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseForm(forms.Form):
    arrival_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[bounds.validator(bounds.check_event_date)],
    )


class CaseEditForm(CaseForm):
    status = forms.ChoiceField(choices=[("open", "Open"), ("closed", "Closed")])
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("general", "General"), ("protection", "Protection (confidential)")]
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class IdentifierLookupForm(forms.Form):
    """An exact document number or phone. Sent by POST only: never in a URL or a log."""

    identifier = forms.CharField(
        max_length=40,
        label="Document number or phone",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
