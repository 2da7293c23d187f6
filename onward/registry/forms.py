"""Forms parse what a user typed; the registry's services validate and write it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from onward import bounds, numerals
from onward.registry import codes
from onward.registry.models import SpecificNeed
from onward.web.fields import DateField


def _needs_choices():
    return [(n.code, str(n)) for n in SpecificNeed.objects.filter(active=True)]


# Names are typed in Latin or Arabic script: the field follows what is typed (right to
# left for زهرا غفارزاده) whatever the page's direction.
_NAME = forms.TextInput(attrs={"dir": "auto"})
# The names in Arabic script are always written right to left.
_NAME_ARABIC = forms.TextInput(attrs={"dir": "rtl", "lang": "fa"})


class PersonForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Relationship"), choices=codes.RELATIONSHIPS.items())
    given_name = forms.CharField(label=_("Given name"), max_length=100, widget=_NAME)
    family_name = forms.CharField(
        label=_("Family name"), max_length=100, required=False, widget=_NAME
    )
    father_name = forms.CharField(
        max_length=100, required=False, label=_("Father's name"), widget=_NAME
    )
    given_name_arabic = forms.CharField(
        label=_("Given name in Arabic script"),
        max_length=100,
        required=False,
        widget=_NAME_ARABIC,
    )
    family_name_arabic = forms.CharField(
        label=_("Family name in Arabic script"),
        max_length=100,
        required=False,
        widget=_NAME_ARABIC,
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("Unknown")), *codes.SEX.items()], required=False
    )
    birth_date = forms.CharField(
        label=_("Birth date"),
        required=False,
        # Digits read left to right in a right-to-left page, as the date fields' do.
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
        help_text=_("YYYY-MM-DD, or YYYY-MM / YYYY when only part is known."),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=3,
        required=False,
        help_text=_("ISO 3166-1 alpha-3, e.g. IRN, IRQ."),
    )
    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    specific_needs = forms.MultipleChoiceField(
        label=_("Specific needs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    needs_detail = forms.CharField(
        max_length=2000,
        required=False,
        label=_("Details of specific needs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Confidential; stored encrypted."),
    )

    def __init__(self, *args, with_relationship: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specific_needs"].choices = _needs_choices()
        if not with_relationship:
            del self.fields["relationship"]

    def clean_birth_date(self) -> str:
        """A full Solar Hijri date from a Solar Hijri reader, as its ISO date; a year or a
        month alone in that calendar is refused (it spans two Gregorian years), anything
        else goes to the registry's own rules as typed."""
        text = numerals.to_western(self.cleaned_data.get("birth_date", "").strip())
        if not numerals.reads_solar_hijri() or not text[:4].isdigit():
            return text
        if int(text[:4]) >= numerals.SOLAR_HIJRI_YEAR_LIMIT:
            return text
        if text.count("-") + text.count("/") < 2:
            raise forms.ValidationError(
                _(
                    "A year or month in the Solar Hijri calendar spans two Gregorian "
                    "years: type the full date (%(example)s) or the Gregorian year."
                )
                % {"example": numerals.SOLAR_HIJRI_EXAMPLE}
            )
        try:
            return numerals.read_date(text, solar_hijri=True).isoformat()
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseForm(forms.Form):
    arrival_date = DateField(
        label=_("Arrival date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[bounds.validator(bounds.check_event_date)],
    )


class CaseEditForm(CaseForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("open", _("Open")), ("closed", _("Closed"))]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("general", _("General")), ("protection", _("Protection (confidential)"))],
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class IdentifierLookupForm(forms.Form):
    """An exact document number or phone. Sent by POST only: never in a URL or a log."""

    identifier = forms.CharField(
        max_length=40,
        label=_("Document number or phone"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
