from django import forms
from django.utils.translation import gettext_lazy as _

from onward.camp.models import Block, Site
from onward.presence.models import PresenceEvent, RollCall, RollCallLine
from onward.web.fields import DateField


class ServiceErrors(forms.Form):
    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ScanForm(ServiceErrors):
    checkpoint = forms.CharField(max_length=64, label=_("Checkpoint"))
    # A keyboard-wedge scanner types the card's code and presses Enter: one field.
    token = forms.CharField(
        max_length=64,
        label=_("Card code"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "off"}
        ),
    )


class ManualForm(ServiceErrors):
    checkpoint = forms.CharField(max_length=64, label=_("Checkpoint"))
    person = forms.CharField(max_length=16, label=_("Person id"))
    method = forms.ChoiceField(
        choices=[
            (PresenceEvent.Method.MANUAL, _("Manual")),
            (PresenceEvent.Method.HEADCOUNT, _("Head-count")),
        ],
        label=_("Method"),
    )


class RevokeForm(ServiceErrors):
    reason = forms.CharField(max_length=255, label=_("Reason"))


class RollCallForm(ServiceErrors):
    reason = forms.ChoiceField(
        choices=[
            (RollCall.Reason.VERIFICATION, _("Verification")),
            (RollCall.Reason.INCIDENT, _("After an incident")),
            (RollCall.Reason.OTHER, _("Other")),
        ],
        label=_("Reason"),
    )
    incident = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Incident")
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.order_by("name"),
        required=False,
        label=_("Whole site"),
        help_text=_("Every block of the site; or choose blocks below."),
    )
    blocks = forms.ModelMultipleChoiceField(
        queryset=Block.objects.select_related("site").order_by("site__name", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Blocks"),
    )
    on = DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Day"))
    note = forms.CharField(max_length=255, required=False, label=_("Note"))

    def __init__(self, *args, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].choices = [("", "—")] + [(i.pk, str(i)) for i in incidents]


class MarkForm(forms.Form):
    person = forms.CharField(max_length=16)
    status = forms.ChoiceField(choices=RollCallLine.Status.choices)


class BlocksHitForm(forms.Form):
    blocks = forms.ModelMultipleChoiceField(
        queryset=Block.objects.order_by("code"), widget=forms.CheckboxSelectMultiple
    )
