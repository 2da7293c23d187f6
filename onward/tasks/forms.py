from django import forms
from django.utils.translation import gettext_lazy as _

from onward.tasks import digests
from onward.tasks.models import DigestPreference
from onward.tasks.rules import RULES, rule_label


class DigestForm(forms.Form):
    """The e-mail digest section of the preferences page (accounts.preferences.SECTIONS)."""

    prefix = "digest"
    # Posted with the section: a POST without it (another client of the page) leaves the
    # digest choice as it is instead of clearing it.
    shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(
        label=_("E-mail digest of my tasks"),
        required=False,
        choices=[
            (DigestPreference.Frequency.NEVER, _("Never")),
            (DigestPreference.Frequency.DAILY, _("Daily")),
            (DigestPreference.Frequency.WEEKLY, _("Weekly")),
        ],
    )
    rules = forms.MultipleChoiceField(
        label=_("Task kinds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules"].choices = [(name, rule_label(name)) for name in sorted(RULES)]

    def clean(self):
        data = super().clean() or {}
        if data.get("shown") and not data.get("frequency"):
            self.add_error("frequency", _("Choose how often: never, daily or weekly."))
        return data


def digest_form(user, data):
    pref = digests.preference_of(user)
    return DigestForm(data, initial={"frequency": pref.frequency, "rules": pref.rules})


def digest_save(user, cleaned: dict) -> None:
    if not cleaned.get("shown"):
        return
    digests.preference_set(user=user, frequency=cleaned["frequency"], rules=cleaned["rules"])


def digest_extra(user) -> dict:
    return {
        "email": user.email,
        "failing": list(digests.failing_for(user)[:5]),
    }
