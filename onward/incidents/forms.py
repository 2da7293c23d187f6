from django import forms

from onward.incidents.models import Incident, ProtectionRequest
from onward.web.fields import DateField

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class IncidentForm(ServiceErrorsMixin, forms.Form):
    occurred_at = forms.CharField(label="Date and time", help_text="YYYY-MM-DD or YYYY-MM-DD HH:MM")
    time_known = forms.BooleanField(required=False, initial=True, label="The time is known")
    type = forms.ChoiceField(choices=Incident.Type.choices)
    within_site = forms.BooleanField(required=False, initial=True, label="At the transit location")
    place = forms.CharField(
        max_length=200, required=False, help_text="Where on the site, or the place away from it."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ClaimForm(ServiceErrorsMixin, forms.Form):
    source = forms.CharField(max_length=200, help_text="The organisation or outlet.")
    cites = forms.CharField(max_length=200, required=False, help_text="Whom the source cites.")
    stated_on = DateField(widget=DATE, label="Date of the statement")
    official = forms.BooleanField(required=False, label="Official source")
    killed = forms.IntegerField(required=False, min_value=0, help_text="Empty: not given.")
    injured = forms.IntegerField(required=False, min_value=0, help_text="Empty: not given.")
    missing = forms.IntegerField(required=False, min_value=0, help_text="Empty: not given.")
    figures_text = forms.CharField(
        max_length=200,
        required=False,
        label="Figures in words",
        help_text='What the source said without a number, e.g. "dozens".',
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    publication = forms.CharField(
        max_length=300, required=False, help_text="A URL or the title of the publication."
    )


class ProtectionRequestForm(ServiceErrorsMixin, forms.Form):
    authority = forms.CharField(max_length=200)
    request = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    requested_on = DateField(widget=DATE)
    follow_up_on = DateField(widget=DATE, required=False)
    incidents = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incidents"].choices = [
            (i.pk, f"{i.when} – {i.get_type_display()}") for i in incidents
        ]


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(choices=ProtectionRequest.Status.choices)
    on = DateField(widget=DATE)
    follow_up_on = DateField(widget=DATE, required=False)
    note = forms.CharField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
