from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from onward import bounds
from onward.accounts import roles


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
            raise ValidationError({"username": f"At most {bounds.USERNAME_MAX} characters "
                                               f"(this one has {len(self.username)})."})
        self.country = self.country.upper()
        if self.role == roles.DELEGATION and len(self.country) != 3:
            raise ValidationError({"country": "A delegation user needs a 3-letter country code."})
        if self.role != roles.DELEGATION and self.country:
            raise ValidationError({"country": "Only delegation users have a country."})
        if self.role == roles.DELEGATION and (self.is_staff or self.is_superuser):
            raise ValidationError({"role": "A country delegation cannot also be staff or "
                                           "superuser: the roles are incompatible."})

    @property
    def role_label(self) -> str:
        return roles.ROLES.get(self.role, self.role)


class UserSession(models.Model):
    """A session a user signed in with, so that deactivating the user can end every one of
    them (Django's session table does not say whose a session is without decoding it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"
