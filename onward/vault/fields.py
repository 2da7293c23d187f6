"""Model fields that keep their value encrypted in the database.

`EncryptedTextField` encrypts on the way in (`get_db_prep_value`) and decrypts on the way
out (`from_db_value`). Blank stays blank, so "has a phone" is still a cheap query and an
empty field costs nothing. A value that cannot be decrypted (its key is not loaded, as
after a restore without the keys) reads as an `Unreadable` placeholder instead of breaking
the page; saving the row again writes the original token back untouched.

`BlindIndexField` holds the keyed hash of another field's normalised value and fills
itself in `pre_save`, so `save()` and `bulk_create()` keep it right; `bulk_update()` and
`COPY` do not call `pre_save` and compute it with `blind_index()`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext

from onward.vault import keys
from onward.vault.normalise import NORMALISERS

UNREADABLE = "[unreadable: "


class Unreadable(str):
    """The placeholder shown for a value that cannot be decrypted; keeps the token."""

    token: str

    def __new__(cls, reason: str, token: str):
        obj = super().__new__(cls, f"{UNREADABLE}{reason}]")
        obj.token = token
        return obj


def _refuse_placeholder(value):
    if isinstance(value, str) and value.startswith(UNREADABLE):
        raise ValidationError(
            gettext(
                "This value cannot be read with the keys loaded; load its key before editing it."
            ),
            code="unreadable",
        )


class EncryptedTextField(models.TextField):
    """Text stored as an authenticated-encryption token bound to its table and column."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(_refuse_placeholder)

    @property
    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        return self.decrypt(value)

    def decrypt(self, value):
        if not value:
            return "" if value is not None else None
        try:
            return keys.keyring().decrypt(value, self.context)
        except keys.Undecryptable as e:
            return Unreadable(e.reason, value)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return self.encrypt(value)

    def encrypt(self, value):
        if value is None or value == "":
            return value
        if isinstance(value, Unreadable):
            return value.token
        if str(value).startswith(UNREADABLE):
            raise ValueError(f"{self.context}: refusing to store a placeholder as a value.")
        return keys.keyring().encrypt(str(value), self.context)

    def get_lookup(self, lookup_name):
        # Each encryption has a fresh nonce, so a ciphertext equals nothing but itself:
        # in SQL only "blank or not" makes sense. Exact values are found through the blind
        # index (BlindIndexField); anything else would silently match nothing.
        if lookup_name == "exact":
            return BlankOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def formfield(self, **kwargs):
        if not kwargs.get("widget") and self.max_length and self.max_length <= 255:
            kwargs["widget"] = forms.TextInput
        return super().formfield(**kwargs)


class BlankOnlyExact(Exact):
    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise TypeError(
                f"{self.lhs.target.name}: an encrypted field can only be compared with ''; "
                "look a value up through its blind index."
            )
        return super().get_prep_lookup()


class BlindIndexField(models.CharField):
    """The keyed hash (HMAC) of the normalised value of `source`: equality lookups on an
    encrypted field. It reveals which rows share a value, and nothing else."""

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", keys.BIDX_HEX)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # db_index=False stated: Field omits its default, and __init__ would turn it True.
        kwargs.update(source=self.source, kind=self.kind, db_index=self.db_index)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        if isinstance(value, Unreadable):  # keep the stored hash of a value we cannot read
            return getattr(model_instance, self.attname)
        digest = blind_index(value, self.kind)
        setattr(model_instance, self.attname, digest)
        return digest


def blind_index(value: str, kind: str) -> str:
    """The primary key's hash of a value (normalised by its kind: 'document' or 'phone')."""
    return keys.keyring().blind_index(NORMALISERS[kind](value or ""), kind)


def blind_indexes(value: str, kind: str) -> list[str]:
    """The hashes of a value under every loaded key (for lookups mid-rotation)."""
    return keys.keyring().blind_indexes(NORMALISERS[kind](value or ""), kind)


def readable(value) -> str:
    """The value, or '' when it cannot be decrypted: what comparisons (dedup) should see,
    so that two unreadable values never look alike."""
    return "" if isinstance(value, Unreadable) else (value or "")


def fill_blind_indexes(instance) -> None:
    """Recompute an instance's blind indexes, for writes that skip `pre_save`
    (`bulk_update`): list the index fields among the fields it updates."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            field.pre_save(instance, False)


# What the audit log keeps of an encrypted field's change: that it changed, not the value
# (the audit log is not encrypted, and it is read by auditors who need no identifiers).
ENCRYPTED_MARK = "(encrypted)"


def encrypted_field_names(model) -> frozenset[str]:
    return frozenset(
        f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
    )


def hide_encrypted(model, changes: dict) -> dict:
    """Audit `changes` ({field: [old, new]}) with encrypted fields' values replaced by a
    mark: '' stays '' (set, cleared and changed still show), anything else is the mark."""
    hidden = encrypted_field_names(model)

    def mark(value):
        return ENCRYPTED_MARK if value else ""

    return {k: ([mark(v) for v in pair] if k in hidden else pair) for k, pair in changes.items()}
