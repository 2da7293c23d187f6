# The requirements are the operation's configuration (what each receiving country, or one
# of its pledges, asks before departure): edited here by administrators, like the managed
# lists of the other apps. Facts and travel needs are not: they are recorded per person
# through onward.readiness.services (validation, the case following readiness, audit).
from django import forms
from django.contrib import admin

from onward.accounts import roles
from onward.readiness.models import Requirement


class RequirementForm(forms.ModelForm):
    # A permission the role table knows (a typo would let no one waive); blank: the
    # default, readiness.waive.
    waiver_permission = forms.ChoiceField(
        required=False,
        choices=[("", "readiness.waive (default)")] + [(p, p) for p in sorted(roles.PERMISSIONS)],
    )

    class Meta:
        model = Requirement
        fields = [
            "country",
            "pledge",
            "kind",
            "per_case",
            "valid_days",
            "valid_hours_before_departure",
            "waivable",
            "waiver_permission",
            "delegation_confirms",
        ]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    form = RequirementForm
    list_display = tuple(RequirementForm.Meta.fields)
    list_filter = ("country", "kind", "per_case", "waivable", "delegation_confirms")
    raw_id_fields = ("pledge",)
