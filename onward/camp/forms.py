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


class SiteForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))

    add_service_errors = AllocateForm.add_service_errors


class BlockForm(forms.Form):
    code = forms.CharField(max_length=24, label=_("Block code"), help_text=_("e.g. B01"))

    add_service_errors = AllocateForm.add_service_errors


class UnitForm(forms.Form):
    code = forms.CharField(max_length=24, label=_("Unit code"), help_text=_("e.g. T01"))
    capacity = forms.IntegerField(min_value=0, max_value=32767, label=_("Capacity (places)"))
    blocked_capacity = forms.IntegerField(
        min_value=0,
        max_value=32767,
        initial=0,
        label=_("Blocked places"),
        help_text=_("Places out of use (repairs, quarantine): not allocated."),
    )
    status = forms.ChoiceField(
        choices=[
            (Unit.Status.AVAILABLE, _("Available")),
            (Unit.Status.NOT_ALLOCABLE, _("Not allocable")),
            (Unit.Status.CLOSED, _("Closed")),
        ],
        label=_("Status"),
    )

    add_service_errors = AllocateForm.add_service_errors
