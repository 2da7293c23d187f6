"""Forms parse what an officer typed; the matching services validate and write it."""

from django import forms
from django.utils.translation import gettext as _

from onward.matching import scoring
from onward.matching.models import CaseCountryLink, ScoringPolicy

PREDICTIONS_MAX_BYTES = 5 * 1024 * 1024


class StartForm(forms.Form):
    policy = forms.ModelChoiceField(
        queryset=ScoringPolicy.objects.none(),
        required=False,
        empty_label="Standard (default weights)",
    )
    time_limit = forms.FloatField(
        initial=60, min_value=1, max_value=3600, help_text="Seconds the solver may take."
    )
    gap = forms.FloatField(
        initial=0.0001,
        min_value=0,
        max_value=0.5,
        help_text="Stop once the plan is provably within this fraction of the best.",
    )
    predictions = forms.FileField(
        required=False,
        help_text=(
            "Optional CSV of an external model's predicted outcomes: case_id, pledge_id or "
            "country, predicted (0–1)."
        ),
    )
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = ScoringPolicy.objects.filter(current=True)

    def clean_predictions(self):
        f = self.cleaned_data.get("predictions")
        if f and f.size > PREDICTIONS_MAX_BYTES:
            raise forms.ValidationError(_("At most 5 MB."))
        return f


def _weight_fields(needs: list[tuple[str, str]]) -> dict[str, forms.Field]:
    fields = {}
    for p in scoring.PRIORITIES:
        fields[f"w_priority_{p}"] = forms.FloatField(min_value=0, label=f"Priority: {p}")
    for code, label in needs:
        fields[f"w_need_{code}"] = forms.FloatField(
            min_value=0, required=False, label=f"Need served: {code} – {label}"
        )
    labels = {
        "family_link": "Family in the pledge's country",
        "preference": "Stated preference for the pledge's country",
        "per_month_waited": "Per month waited",
        "max_months": "Months counted at most",
        "predicted_outcome": "Predicted outcome (× 0–1 value)",
    }
    for key, label in labels.items():
        fields[f"w_{key}"] = forms.FloatField(min_value=0, label=label)
    return fields


class PolicyForm(forms.Form):
    """One field per weight (flattened), back into the weights dict by `weights()`."""

    name = forms.CharField(max_length=80)
    note = forms.CharField(max_length=255, required=False, help_text="Why this change.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from onward.registry.models import SpecificNeed

        needs = list(SpecificNeed.shown_labels(SpecificNeed.objects.filter(active=True)).items())
        self.fields.update(_weight_fields(needs))
        self.need_codes = [c for c, _label in needs]
        if edit:
            self.fields["name"].disabled = True

    @staticmethod
    def initial_for(weights: dict, **extra) -> dict:
        initial = {f"w_priority_{p}": weights["priority"].get(p, 0) for p in scoring.PRIORITIES}
        initial.update({f"w_need_{c}": v for c, v in weights["need_served"].items()})
        for key in (
            "family_link",
            "preference",
            "per_month_waited",
            "max_months",
            "predicted_outcome",
        ):
            initial[f"w_{key}"] = weights[key]
        return {**initial, **extra}

    def weights(self) -> dict:
        d = self.cleaned_data
        return {
            "priority": {p: d[f"w_priority_{p}"] for p in scoring.PRIORITIES},
            "need_served": {
                c: d[f"w_need_{c}"]
                for c in self.need_codes
                if d.get(f"w_need_{c}") not in (None, "")
            },
            **{
                k: d[f"w_{k}"]
                for k in (
                    "family_link",
                    "preference",
                    "per_month_waited",
                    "max_months",
                    "predicted_outcome",
                )
            },
        }

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            name = "w_" + field.replace(".", "_").replace("need_served_", "need_")
            self.add_error(
                name if name in self.fields else (field if field in self.fields else None), messages
            )

    def weight_groups(self):
        """Bound fields grouped for the template: priority, needs, the rest."""
        return {
            "priority": [self[f"w_priority_{p}"] for p in scoring.PRIORITIES],
            "needs": [self[f"w_need_{c}"] for c in self.need_codes],
            "other": [
                self[f"w_{k}"]
                for k in (
                    "family_link",
                    "preference",
                    "per_month_waited",
                    "max_months",
                    "predicted_outcome",
                )
            ],
        }


class LinkForm(forms.Form):
    case_id = forms.CharField(max_length=32, label="Case")
    country = forms.CharField(max_length=3, help_text="ISO 3166-1 alpha-3, e.g. DEU.")
    kind = forms.ChoiceField(choices=CaseCountryLink.Kind.choices)
    note = forms.CharField(max_length=255, required=False)


class PinForm(forms.Form):
    case = forms.CharField(max_length=32)
    pledge = forms.CharField(max_length=12)
    kind = forms.ChoiceField(
        choices=[("lock", "lock"), ("forbid", "forbid"), ("release", "release")]
    )
