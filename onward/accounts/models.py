from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from onward.accounts import roles


class User(AbstractUser):
    """A person who uses Onward, with exactly one role.

    A delegation user is scoped to one country (ISO 3166-1 alpha-3); no other role has a
    country, so a user cannot be both staff and a delegation (the incompatible-roles rule
    that HOPE keeps in its model).
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
            )
        ]

    def clean(self):
        super().clean()
        self.country = self.country.upper()
        if self.role == roles.DELEGATION and len(self.country) != 3:
            raise ValidationError({"country": "A delegation user needs a 3-letter country code."})
        if self.role != roles.DELEGATION and self.country:
            raise ValidationError({"country": "Only delegation users have a country."})

    @property
    def role_label(self) -> str:
        return roles.ROLES.get(self.role, self.role)
