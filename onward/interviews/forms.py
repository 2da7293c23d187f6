"""The selection-mission form."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from onward.accounts import roles
from onward.accounts.models import User
from onward.interviews.models import Interpreter, Room
from onward.relocation.models import Pledge
from onward.relocation.selectors import open_pledges
from onward.web.fields import DateField


class MissionForm(forms.Form):
    pledge = forms.ModelChoiceField(queryset=Pledge.objects.none(), label=_("Pledge"))
    name = forms.CharField(max_length=120, label=_("Name"))
    first_day = DateField(label=_("First day"), widget=forms.DateInput({"type": "date"}))
    last_day = DateField(label=_("Last day"), widget=forms.DateInput({"type": "date"}))
    day_start = forms.TimeField(
        label=_("Day starts at"), initial=dt.time(9, 0), widget=forms.TimeInput({"type": "time"})
    )
    slots_per_day = forms.IntegerField(
        label=_("Slots per day"), min_value=1, max_value=24, initial=8
    )
    slot_minutes = forms.IntegerField(
        label=_("Minutes per slot"), min_value=15, max_value=240, initial=60
    )
    rooms = forms.ModelMultipleChoiceField(
        queryset=Room.objects.none(), label=_("Rooms"), widget=forms.CheckboxSelectMultiple
    )
    interviewers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Interviewers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreters = forms.ModelMultipleChoiceField(
        queryset=Interpreter.objects.none(),
        label=_("Interpreters (none chosen: every active interpreter)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge"].queryset = open_pledges()
        self.fields["rooms"].queryset = Room.objects.filter(active=True)
        self.fields["interviewers"].queryset = User.objects.filter(
            is_active=True, role__in=sorted(roles.PERMISSIONS["interviews.book"])
        ).order_by("username")
        self.fields["interpreters"].queryset = Interpreter.objects.filter(active=True)
