"""Forms parse what a user typed; the movements services validate and write it."""

from django import forms

from onward.registry import codes

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class DepartureForm(ServiceErrorsMixin, forms.Form):
    person = forms.CharField(max_length=32, label="Person id", help_text="e.g. P000123")
    kind = forms.ChoiceField(choices=[
        ("left_own_accord", "Left on own accord"), ("deceased", "Deceased"),
        ("repatriated", "Voluntarily repatriated"),
        ("whereabouts_unknown", "Whereabouts unknown")])
    on = forms.DateField(widget=DATE, label="Date",
                         help_text="The person is no longer present from this day.")
    note = forms.CharField(max_length=255, required=False, label="What is known",
                           widget=forms.Textarea(attrs={"rows": 3}))


class BirthForm(ServiceErrorsMixin, forms.Form):
    mother = forms.CharField(max_length=32, label="Mother (person id)")
    on = forms.DateField(widget=DATE, label="Date of birth")
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100, required=False)
    father_name = forms.CharField(max_length=100, required=False, label="Father's name")
    sex = forms.ChoiceField(choices=[("", "Unknown"), *codes.SEX.items()], required=False)


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(max_length=255)


class TransferForm(ServiceErrorsMixin, forms.Form):
    pledge = forms.ChoiceField(choices=[])
    date = forms.DateField(widget=DATE)
    seats = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, pledges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge"].choices = [(p.pk, str(p)) for p in pledges]


class TransferDateForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(widget=DATE, label="New date")
    reason = forms.CharField(max_length=255, label="Why it moves")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
