"""The fields that decide who may see a record, and the rule that freezes them.

`policy.visible_*` decides scope by reading these fields: a delegation sees the pledges of
its country, the submissions to those pledges and the cases of those submissions. If one
of them could change, a record already shared with one country would move to another (or
a delegation would move to another country's records) without anyone deciding to share
it. So each is frozen once it matters; the way out is always the workflow: close the
pledge and open another, withdraw the submission and submit again, deactivate the account
and create another.

`SCOPE_FIELDS` is the one list (the tests try every entry through every channel).
`scope_refusals(instance)` is the one check: the services call it to refuse with a field
error, and each model's `save()` calls `refuse_scope_change` so that no path (the admin,
a command, a shell) silently changes it. Migrations install the same rule as database
triggers (onward/appendonly.py, "scope_frozen" version 1), for raw SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class ScopeField:
    model: str  # "app_label.ModelName"
    field: str  # the model field's name
    decides: str  # what it decides, for the message
    way_out: str  # what to do instead, for the message
    once: tuple[str, ...] = ()  # frozen once any of these related sets has a row
    values: tuple[str, ...] = ()  # frozen only for a change from or to one of these

    @property
    def label(self) -> str:
        return f"{self.model}.{self.field}"


SCOPE_FIELDS: tuple[ScopeField, ...] = (
    ScopeField(
        "relocation.Pledge",
        "country",
        decides="which country's delegation sees its submissions and their cases",
        way_out="close this pledge (status Closed) and open a new pledge for the other country",
        once=("submissions", "transfers"),
    ),
    ScopeField(
        "relocation.Submission",
        "pledge",
        decides="which country's delegation sees the case",
        way_out="withdraw the submission and submit the case to the other pledge",
    ),
    ScopeField(
        "relocation.Submission",
        "case",
        decides="which case the pledge's delegation sees",
        way_out="withdraw the submission and submit the other case",
    ),
    ScopeField(
        "movements.Transfer",
        "pledge",
        decides="which pledge's cases travel and count as departed",
        way_out="cancel the transfer and plan another for the other pledge",
    ),
    ScopeField(
        "movements.Transfer",
        "country",
        decides="which country the transfer's cases are counted for",
        way_out="cancel the transfer and plan another for the other pledge",
    ),
    ScopeField(
        "accounts.User",
        "country",
        decides="which country's submissions the delegation user sees",
        way_out="deactivate this account and create a new one for the other country",
    ),
    ScopeField(
        "accounts.User",
        "role",
        decides="whether the user is a delegation, scoped to one country, or camp staff",
        way_out="deactivate this account and create a new one with the other role",
        values=("delegation",),
    ),
)


def scope_fields_of(model) -> list[ScopeField]:
    return [f for f in SCOPE_FIELDS if f.model == model._meta.label]


def scope_refusals(instance) -> dict[str, str]:
    """{field: why} for each scope field of `instance` whose unsaved value differs from
    the stored row while the field is frozen. Empty for a new row."""
    rules = scope_fields_of(type(instance))
    if not rules or instance._state.adding or instance.pk is None:
        return {}
    meta = instance._meta
    columns = [meta.get_field(r.field).attname for r in rules]
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*columns).first()
    if stored is None:
        return {}
    refusals = {}
    for rule, column in zip(rules, columns, strict=True):
        old, new = stored[column], getattr(instance, column)
        if old == new:
            continue
        if rule.values and old not in rule.values and new not in rule.values:
            continue
        if rule.once and not any(getattr(instance, name).exists() for name in rule.once):
            continue
        refusals[rule.field] = _message(instance, rule, old, new)
    return refusals


def _message(instance, rule: ScopeField, old, new) -> str:
    name = instance._meta.verbose_name
    when = f"once it has {' or '.join(rule.once)}" if rule.once else "once it exists"
    return (
        f"The {rule.field} of {name} {instance.pk} cannot change from {old!r} to "
        f"{new!r}: it decides {rule.decides}, so it is frozen {when}. Instead, "
        f"{rule.way_out}."
    )


def refuse_scope_change(instance, update_fields=None) -> None:
    """For `save()`: raise ValidationError naming each frozen field changed; nothing is
    written. A save of named fields that are not scope fields costs no query."""
    if update_fields is not None and not {r.field for r in scope_fields_of(type(instance))} & {
        instance._meta.get_field(f).name for f in update_fields
    }:
        return
    refusals = scope_refusals(instance)
    if refusals:
        raise ValidationError(refusals)
