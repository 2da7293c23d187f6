"""Forms parse what a user typed; the movements services validate and write it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from onward.registry import codes
from onward.web.fields import DateField

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class DepartureForm(ServiceErrorsMixin, forms.Form):
    person = forms.CharField(max_length=32, label=_("Person id"), help_text=_("e.g. P000123"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("left_own_accord", _("Left on own accord")),
            ("deceased", _("Deceased")),
            ("repatriated", _("Voluntarily repatriated")),
            ("whereabouts_unknown", _("Whereabouts unknown")),
        ],
    )
    on = DateField(
        widget=DATE, label=_("Date"), help_text=_("The person is no longer present from this day.")
    )
    note = forms.CharField(
        max_length=255,
        required=False,
        label=_("What is known"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BirthForm(ServiceErrorsMixin, forms.Form):
    mother = forms.CharField(max_length=32, label=_("Mother (person id)"))
    on = DateField(widget=DATE, label=_("Date of birth"))
    given_name = forms.CharField(max_length=100, label=_("Given name"))
    family_name = forms.CharField(max_length=100, required=False, label=_("Family name"))
    father_name = forms.CharField(max_length=100, required=False, label=_("Father's name"))
    sex = forms.ChoiceField(
        choices=[("", _("Unknown")), *((k, _(v)) for k, v in codes.SEX.items())], required=False
    )


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(max_length=255, label=_("Reason"))


class TransferForm(ServiceErrorsMixin, forms.Form):
    pledge = forms.ChoiceField(choices=[], label=_("Pledge"))
    date = DateField(widget=DATE, label=_("Date"))
    seats = forms.IntegerField(min_value=1, label=_("Seats"))
    note = forms.CharField(max_length=255, required=False, label=_("Note"))

    def __init__(self, *args, pledges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge"].choices = [(p.pk, str(p)) for p in pledges]


class TransferDateForm(ServiceErrorsMixin, forms.Form):
    date = DateField(widget=DATE, label=_("New date"))
    reason = forms.CharField(max_length=255, label=_("Why it moves"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportedDepartureForm(ServiceErrorsMixin, forms.Form):
    place = forms.CharField(
        max_length=200,
        label=_("Place"),
        help_text=_("Where they left from, e.g. the origin camp (Camp Ashraf)."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("left_own_accord", _("Left on own accord")),
            ("deceased", _("Deceased")),
            ("whereabouts_unknown", _("Whereabouts unknown")),
        ],
    )
    persons = forms.IntegerField(min_value=1, label=_("Persons"))
    cumulative = forms.BooleanField(
        required=False,
        label=_("A total to date"),
        help_text=_(
            "The source gives everyone who left up to that date, not one period's departures."
        ),
    )
    left_on = DateField(
        widget=DATE,
        label=_("When they left"),
        help_text=_("The day, or the end of the period a total covers."),
    )
    left_on_precision = forms.ChoiceField(
        choices=[("D", _("Day")), ("M", _("Month"))], label=_("Known to the")
    )
    source = forms.CharField(max_length=200, label=_("Source"))
    official = forms.BooleanField(
        required=False, label=_("Official"), help_text=_("A statement of an authority.")
    )
    stated_on = DateField(widget=DATE, label=_("Stated on"))
    summary = forms.CharField(
        required=False, label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3})
    )
