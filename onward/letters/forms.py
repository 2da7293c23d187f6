import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onward.numerals import to_western


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of letters"), choices=settings.LANGUAGES)


class DepartureForm(forms.Form):
    """What the transfer does not record and the notice must say (asked each time)."""

    assembly_point = forms.CharField(
        label=pgettext_lazy("letter", "Assembly point"), max_length=120
    )
    assembly_time = forms.TimeField(
        label=pgettext_lazy("letter", "Be there at"), input_formats=["%H:%M"]
    )
    luggage_kg = forms.IntegerField(
        label=_("Luggage per traveller (kg)"), min_value=0, max_value=100
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:  # digits typed in any script are read as 0-9
            data = {k: to_western(v) for k, v in data.items()}
        super().__init__(data, *args, **kwargs)

    def facts(self) -> dict:
        data = self.cleaned_data
        return {
            "assembly_point": data["assembly_point"].strip(),
            "assembly_time": data["assembly_time"] or dt.time(0),
            "luggage_kg": data["luggage_kg"],
        }
