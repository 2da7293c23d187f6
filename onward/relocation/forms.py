"""Forms parse input only; relocation's services hold the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onward.registry.models import SpecificNeed
from onward.relocation.models import CapacityDimension, Category, ExitCheck, Pledge, Priority
from onward.web.fields import DateField


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            self.add_error(field if field in self.fields else None, messages)


class PledgeForm(ServiceErrorsMixin, forms.Form):
    country = forms.CharField(max_length=3, help_text="ISO 3166-1 alpha-3, e.g. ALB")
    name = forms.CharField(max_length=120)
    valid_from = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=Pledge.Status.choices, initial=Pledge.Status.OPEN)
    max_case_size = forms.IntegerField(
        required=False, min_value=1, help_text="Largest case accepted (empty: no limit)"
    )
    needs_served = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    needs_not_served = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple
    )
    nationalities = forms.CharField(
        required=False,
        help_text="Nationalities accepted, comma-separated (empty: any), e.g. IRN, IRQ",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        needs = [(n.code, str(n)) for n in SpecificNeed.objects.all()]
        self.fields["needs_served"].choices = needs
        self.fields["needs_not_served"].choices = needs
        self.dimensions = list(CapacityDimension.objects.filter(active=True))
        for dim in self.dimensions:
            self.fields[f"capacity_{dim.code}"] = forms.IntegerField(
                label=_("Capacity: %(dimension)s") % {"dimension": dim.shown_label},
                required=dim.code == "persons",
                min_value=0,
            )

    @staticmethod
    def initial_for(pledge: Pledge) -> dict:
        initial = {
            k: getattr(pledge, k)
            for k in (
                "country",
                "name",
                "valid_from",
                "valid_to",
                "status",
                "max_case_size",
                "needs_served",
                "needs_not_served",
                "notes",
                "version",
            )
        }
        initial["nationalities"] = ", ".join(pledge.nationalities)
        for cap in pledge.capacities.all():
            initial[f"capacity_{cap.dimension_id}"] = cap.capacity
        return initial

    def data_for_service(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if not k.startswith("capacity_") and k != "version"
        }
        data["capacities"] = {
            d.code: self.cleaned_data.get(f"capacity_{d.code}") for d in self.dimensions
        }
        return data

    def add_service_errors(self, exc):
        capacity = getattr(exc, "message_dict", {}).get("capacities")
        if capacity:
            self.add_error("capacity_persons", capacity)
            exc = ValidationError({k: v for k, v in exc.message_dict.items() if k != "capacities"})
            if not exc.message_dict:
                return
        super().add_service_errors(exc)


class TransitionForm(forms.Form):
    action = forms.CharField()
    version = forms.IntegerField(required=False)
    pledge = forms.IntegerField(required=False)
    reason = forms.CharField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", "—"), *Category.choices])
    priority = forms.ChoiceField(required=False, choices=[("", "—"), *Priority.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "—"), *ExitCheck.Kind.choices])
    note = forms.CharField(required=False)
    question = forms.CharField(required=False)
    answer = forms.CharField(required=False)
    separately = forms.CharField(required=False)
    on = DateField(required=False)


class DecisionForm(forms.Form):
    """A country's decision: accept (all, or the members ticked: `members_given` says the
    form listed them), reject, defer, or request more information by a date."""

    decision = forms.ChoiceField(
        choices=[
            ("accepted", "Accept"),
            ("rejected", "Reject"),
            ("deferred", "Defer"),
            ("info_requested", "Request more information"),
        ]
    )
    reason = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 30}))
    question = forms.CharField(required=False)
    on = DateField(required=False)
    members_given = forms.BooleanField(required=False)
    version = forms.IntegerField(required=False)
