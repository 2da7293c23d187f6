from django import forms
from django.utils.translation import gettext_lazy as _

from onward.camp.models import Unit
from onward.web.fields import DateField


class AllocateForm(forms.Form):
    person = forms.CharField(max_length=16, label=_("Person id"), help_text=_("e.g. P000001"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.select_related("block").order_by("block__code", "code"),
        label=_("Unit"),
    )
    on = DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    reason = forms.CharField(max_length=255, label=_("Reason"))
    override_reason = forms.CharField(
        max_length=255,
        required=False,
        label=_("Override reason"),
        help_text=_("Only to allocate over a full unit; needs the override permission."),
    )

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
