"""Forms parse what a user typed; the movements services validate and write it."""

from django import forms

from onward.registry import codes
from onward.web.fields import DateField

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class DepartureForm(ServiceErrorsMixin, forms.Form):
    person = forms.CharField(max_length=32, label="Person id", help_text="e.g. P000123")
    kind = forms.ChoiceField(
        choices=[
            ("left_own_accord", "Left on own accord"),
            ("deceased", "Deceased"),
            ("repatriated", "Voluntarily repatriated"),
            ("whereabouts_unknown", "Whereabouts unknown"),
        ]
    )
    on = DateField(
        widget=DATE, label="Date", help_text="The person is no longer present from this day."
    )
    note = forms.CharField(
        max_length=255,
        required=False,
        label="What is known",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BirthForm(ServiceErrorsMixin, forms.Form):
    mother = forms.CharField(max_length=32, label="Mother (person id)")
    on = DateField(widget=DATE, label="Date of birth")
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100, required=False)
    father_name = forms.CharField(max_length=100, required=False, label="Father's name")
    sex = forms.ChoiceField(choices=[("", "Unknown"), *codes.SEX.items()], required=False)


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(max_length=255)


class TransferForm(ServiceErrorsMixin, forms.Form):
    pledge = forms.ChoiceField(choices=[])
    date = DateField(widget=DATE)
    seats = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, pledges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge"].choices = [(p.pk, str(p)) for p in pledges]


class TransferDateForm(ServiceErrorsMixin, forms.Form):
    date = DateField(widget=DATE, label="New date")
    reason = forms.CharField(max_length=255, label="Why it moves")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportedDepartureForm(ServiceErrorsMixin, forms.Form):
    place = forms.CharField(
        max_length=200, help_text="Where they left from, e.g. the origin camp (Camp Ashraf)."
    )
    kind = forms.ChoiceField(
        choices=[
            ("left_own_accord", "Left on own accord"),
            ("deceased", "Deceased"),
            ("whereabouts_unknown", "Whereabouts unknown"),
        ]
    )
    persons = forms.IntegerField(min_value=1)
    cumulative = forms.BooleanField(
        required=False,
        label="A total to date",
        help_text="The source gives everyone who left up to "
        "that date, not one period's departures.",
    )
    left_on = DateField(
        widget=DATE,
        label="When they left",
        help_text="The day, or the end of the period a total covers.",
    )
    left_on_precision = forms.ChoiceField(
        choices=[("D", "Day"), ("M", "Month")], label="Known to the"
    )
    source = forms.CharField(max_length=200)
    official = forms.BooleanField(required=False, help_text="A statement of an authority.")
    stated_on = DateField(widget=DATE, label="Stated on")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
