"""Field by field: what a merge keeps on the survivor, and what it does not.

A merge compares the two records on every field of the person CSV contract that belongs
to the person (the case and relationship follow the survivor: its case is the one that
stays). For each field where they differ the reviewer says whose value the survivor keeps,
or "both" for the fields that can hold both (specific needs: the union; needs details: the
two texts one after the other). A value not kept is never gone: the two records as they
were and the survivor as the merge left it are stored (encrypted) on the merge, the person
page shows every value not kept, and an undo puts everything back.

Plain functions over plain dicts ("states"), so the rules are testable without a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onward.vault.fields import Unreadable

SURVIVOR, MERGED, BOTH = "survivor", "merged", "both"
NEEDS_DETAIL_MAX = 2000  # as registry.services.NEEDS_DETAIL_MAX (the column's size)
JOIN = "\n\n"


@dataclass(frozen=True)
class MergeField:
    name: str  # as in the person CSV contract
    label: str
    encrypted: bool = False
    joinable: bool = False  # "both" is a choice: the survivor can hold the two values
    attrs: tuple[str, ...] = ()  # the model attributes it is made of (default: name)

    @property
    def parts(self) -> tuple[str, ...]:
        return self.attrs or (self.name,)


FIELDS = (
    MergeField("given_name", "Given name"),
    MergeField("family_name", "Family name"),
    MergeField("father_name", "Father's name"),
    MergeField("sex", "Sex"),
    MergeField("birth_date", "Birth date", attrs=("birth_date", "birth_precision")),
    MergeField("nationality", "Nationality"),
    MergeField("document_number", "Document number", encrypted=True),
    MergeField("phone", "Phone", encrypted=True),
    MergeField("specific_needs", "Specific needs", joinable=True),
    MergeField("needs_detail", "Details of specific needs", encrypted=True, joinable=True),
)
BY_NAME = {f.name: f for f in FIELDS}
ENCRYPTED = tuple(f.name for f in FIELDS if f.encrypted)


# --- states: a person's mergeable fields as plain, JSON-ready values ----------------------


def person_state(person) -> dict:
    """The person's mergeable attributes as JSON-ready values (what an undo restores)."""
    state = {}
    for field in FIELDS:
        for attr in field.parts:
            if attr == "specific_needs":
                state[attr] = sorted(person.specific_needs.values_list("code", flat=True))
            elif attr == "birth_date":
                state[attr] = person.birth_date.isoformat() if person.birth_date else ""
            else:
                state[attr] = getattr(person, attr) or ""
    return state


def state_apply(person, state: dict, fields=FIELDS) -> None:
    """Sets the person's attributes of `fields` from a state (specific needs are set on
    the database: the person must be saved already)."""
    for field in fields:
        for attr in field.parts:
            if attr == "specific_needs":
                person.specific_needs.set(state[attr])
            elif attr == "birth_date":
                person.birth_date = dt.date.fromisoformat(state[attr]) if state[attr] else None
            else:
                setattr(person, attr, state[attr])


def part(state: dict, field: MergeField):
    """The field's raw parts in a state, comparable with ==."""
    return tuple(state.get(attr, "") for attr in field.parts)


def shown(state: dict, field: MergeField):
    """The field's value as a person reads it: a birth date as 1970, 1970-05 or
    1970-05-12; specific needs as a list of codes; anything else as its text."""
    if field.name == "birth_date":
        day, precision = state.get("birth_date", ""), state.get("birth_precision", "")
        if not day:
            return ""
        return {"Y": day[:4], "M": day[:7]}.get(precision, day)
    return state.get(field.name, "")


def unreadable(state: dict) -> list[str]:
    """The encrypted fields of a state that cannot be decrypted with the keys loaded."""
    return [name for name in ENCRYPTED if isinstance(state.get(name), Unreadable)]


# --- choices -------------------------------------------------------------------------------


def default_choice(field: MergeField, survivor: dict, merged: dict) -> str:
    """A non-empty value is never dropped by default: an empty survivor field takes the
    other's value, and a field that can hold both keeps both. Where both records have a
    different value, the survivor's stays (the other goes to the merge history)."""
    mine, theirs = shown(survivor, field), shown(merged, field)
    if part(survivor, field) == part(merged, field) or not theirs:
        return SURVIVOR
    if not mine:
        return MERGED
    return BOTH if field.joinable else SURVIVOR


def resolve_choices(
    keep: dict, *, survivor_id: str, merged_id: str, survivor: dict, merged: dict
) -> dict[str, str]:
    """The reviewer's `keep` ({field: person id whose value, or "both"}) as a complete
    choice per field (survivor, merged or both); a field not given gets the default.

    Refuses, naming the field, an unknown field, a choice that is neither record's id, and
    "both" where the survivor cannot hold two values."""
    errors = {}
    unknown = sorted(set(keep) - set(BY_NAME))
    if unknown:
        errors["keep"] = _("Not a field a merge chooses: %(items)s.") % {
            "items": ", ".join(unknown)
        }
    choices = {}
    for field in FIELDS:
        raw = str(keep.get(field.name) or "").strip()
        if not raw:
            choices[field.name] = default_choice(field, survivor, merged)
        elif raw == survivor_id:
            choices[field.name] = SURVIVOR
        elif raw == merged_id:
            choices[field.name] = MERGED
        elif raw == BOTH and field.joinable:
            choices[field.name] = BOTH
        else:
            both = ' or "both"' if field.joinable else ""
            errors[field.name] = _(
                "%(label)s: keep the value of %(survivor_id)s or of %(merged_id)s%(both)s, not %(raw)r."
            ) % {
                "label": field.label,
                "survivor_id": survivor_id,
                "merged_id": merged_id,
                "both": both,
                "raw": raw,
            }
    if errors:
        raise ValidationError(errors)
    return choices


def _join(field: MergeField, mine, theirs):
    if field.name == "specific_needs":
        return sorted(set(mine) | set(theirs))
    if not mine or not theirs or theirs in mine:
        return mine or theirs
    return mine + JOIN + theirs


def merge_result(survivor: dict, merged: dict, choices: dict[str, str]) -> dict:
    """The survivor's state after the merge. Refuses a join that would not fit."""
    result = dict(survivor)
    for field in FIELDS:
        choice = choices.get(field.name, SURVIVOR)
        if choice == MERGED:
            result.update({attr: merged[attr] for attr in field.parts})
        elif choice == BOTH:
            result[field.name] = _join(field, survivor[field.name], merged[field.name])
    if len(result["needs_detail"]) > NEEDS_DETAIL_MAX:
        raise ValidationError(
            {
                "needs_detail": _(
                    "The two records' details of specific needs together are longer than "
                    "%(max)s characters: keep one of them (the other stays readable "
                    "in the merge history)."
                )
                % {"max": NEEDS_DETAIL_MAX}
            }
        )
    return result


# --- what a merge did not keep -------------------------------------------------------------


def kept(field: MergeField, value, result: dict) -> bool:
    """Whether a record's non-empty value is on the survivor as the merge left it."""
    now = shown(result, field)
    if field.name == "specific_needs":
        return set(value) <= set(now)
    if field.name == "needs_detail":
        return value in now
    return value == now


def not_kept(survivor: dict, merged: dict, result: dict) -> list[dict]:
    """Every non-empty value of either record that the survivor does not hold after the
    merge: {field, label, whose ("merged" or "survivor"), value}. For specific needs, the
    codes left out."""
    lost = []
    for field in FIELDS:
        for whose, state in ((MERGED, merged), (SURVIVOR, survivor)):
            value = shown(state, field)
            if not value or kept(field, value, result):
                continue
            if field.name == "specific_needs":
                value = [code for code in value if code not in shown(result, field)]
            lost.append({"field": field.name, "label": field.label, "whose": whose, "value": value})
    return lost


def undo_plan(before: dict, after: dict, current: dict) -> tuple[list[MergeField], list[str]]:
    """Which fields an undo restores, and which it leaves: a field the merge changed is
    restored when the survivor still holds what the merge wrote; one edited since the merge
    keeps that edit (restoring it would overwrite someone's later correction)."""
    restore, edited = [], []
    for field in FIELDS:
        if part(before, field) == part(after, field):
            continue
        if part(current, field) == part(after, field):
            restore.append(field)
        else:
            edited.append(field.name)
    return restore, edited
