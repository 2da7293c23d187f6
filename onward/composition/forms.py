from django import forms
from django.utils.translation import gettext_lazy as _

from onward.composition.models import CaseLink
from onward.composition.services import REASON_MAX
from onward.registry import codes


class _Reason(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])


class MoveForm(_Reason):
    person = forms.ChoiceField(label=_("Member"))
    target = forms.CharField(label=_("To case"), max_length=32)
    relationship = forms.ChoiceField(
        label=_("Relationship in that case"),
        choices=[(k, v) for k, v in codes.RELATIONSHIPS.items() if k != "principal"],
    )
    new_principal = forms.ChoiceField(
        label=_("New principal applicant of this case (when the principal moves)"),
        required=False,
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.person_id, f"{p.person_id} {p.full_name}") for p in members]
        self.fields["person"].choices = choices
        self.fields["new_principal"].choices = [("", "—")] + choices


class SplitForm(_Reason):
    persons = forms.MultipleChoiceField(
        label=_("Members who form the new case"), widget=forms.CheckboxSelectMultiple
    )
    principal = forms.ChoiceField(label=_("Principal applicant of the new case"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (p.person_id, f"{p.person_id} {p.full_name}")
            for p in members
            if p.relationship != "principal"
        ]
        self.fields["persons"].choices = choices
        self.fields["principal"].choices = choices


class LinkForm(_Reason):
    other = forms.CharField(label=_("Linked case"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind of link"), choices=CaseLink.Kind.choices)


class UndoForm(_Reason):
    pass
