from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from onward import bounds
from onward.accounts import roles
from onward.accounts.scope import refuse_scope_change, scope_refusals
from onward.vault.fields import EncryptedTextField


class Digits(models.TextChoices):
    """How figures are written on the pages (CLDR's numbering-system names)."""

    LATIN = "latn", _("Western digits (0123456789)")
    ARABIC = "arab", _("Eastern Arabic digits (٠١٢٣٤٥٦٧٨٩)")
    PERSIAN = "arabext", _("Persian digits (۰۱۲۳۴۵۶۷۸۹)")


class Calendar(models.TextChoices):
    """The calendar dates are shown in (CLDR's names). Records always keep ISO dates."""

    GREGORIAN = "gregory", _("Gregorian")
    PERSIAN = "persian", _("Solar Hijri")


class User(AbstractUser):
    """A person who uses Onward, with exactly one role.

    A delegation user is scoped to one country (ISO 3166-1 alpha-3); no other role has a
    country. The roles a delegation and the camp's staff hold are incompatible on one user
    (the rule HOPE keeps in its model): one role per user, and a delegation user is never
    staff or superuser, so a country's representative never reaches the admin site or the
    camp's own records. `clean()` says so in a form; the database constraints hold it
    for every other path.
    """

    role = models.CharField(max_length=32, choices=roles.ROLES.items())
    country = models.CharField(
        max_length=3, blank=True, help_text="Delegation users only: the country they represent."
    )
    # Display preferences, chosen by the user (onward/accounts/preferences.py). The
    # language is a code of settings.LANGUAGES, or "" to follow the browser; no choices on
    # the column, so that adding a language needs no migration.
    language = models.CharField(max_length=8, blank=True, default="")
    digits = models.CharField(max_length=8, choices=Digits.choices, default=Digits.LATIN)
    calendar = models.CharField(max_length=8, choices=Calendar.choices, default=Calendar.GREGORIAN)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role=roles.DELEGATION) & ~models.Q(country=""))
                | (~models.Q(role=roles.DELEGATION) & models.Q(country="")),
                name="delegation_users_have_a_country",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=roles.DELEGATION)
                | models.Q(is_staff=False, is_superuser=False),
                name="delegation_users_are_not_staff",
            ),
        ]

    def clean(self):
        super().clean()
        if len(self.username or "") > bounds.USERNAME_MAX:
            # The column takes 150, but a username is written into audit entries whose
            # object id holds 64 (docs/security.md, "Bad input").
            raise ValidationError(
                {
                    "username": gettext("At most %(max)s characters (this one has %(n)s).")
                    % {"max": bounds.USERNAME_MAX, "n": len(self.username)}
                }
            )
        self.country = self.country.upper()
        if self.role == roles.DELEGATION and len(self.country) != 3:
            raise ValidationError(
                {"country": gettext("A delegation user needs a 3-letter country code.")}
            )
        if self.role != roles.DELEGATION and self.country:
            raise ValidationError({"country": gettext("Only delegation users have a country.")})
        if self.role == roles.DELEGATION and (self.is_staff or self.is_superuser):
            raise ValidationError(
                {
                    "role": gettext(
                        "A country delegation cannot also be staff or "
                        "superuser: the roles are incompatible."
                    )
                }
            )
        refusals = scope_refusals(self)
        if refusals:
            raise ValidationError(refusals)

    def save(self, *args, **kwargs):
        # A delegation's country and the delegation role itself are frozen
        # (accounts/scope.py), whatever path saves the user.
        refuse_scope_change(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def role_label(self) -> str:
        return gettext(roles.ROLES.get(self.role, self.role))


class UserSession(models.Model):
    """A session a user signed in with, so that deactivating the user can end every one of
    them (Django's session table does not say whose a session is without decoding it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's authenticator app (TOTP): django-otp's TOTP device with its secret kept
    encrypted with the field keys (onward/vault), so that a copy of the database or of a
    backup cannot mint a user's second factor. The code checks are django-otp's own,
    borrowed unchanged from its TOTPDevice (pinned version); only the column differs."""

    # django-otp's default: 20 random bytes in hex (RFC 4226's recommended length).
    key = EncryptedTextField(
        default=default_key,
        editable=False,
        help_text="The hex-encoded secret (20 bytes), encrypted.",
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator device"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(str(self.key).encode())

    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
