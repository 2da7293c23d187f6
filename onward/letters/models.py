"""The language a household's letters are written in (issue 22, "Languages as data").

Held per case, not per person: a letter goes to the household (the appointment slip
names whom to bring, the summary lists every member), and it is read by the principal
applicant. No row means the default, taken from the principal's languages spoken
(`onward.letters.language.default_language`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onward.registry.models import Case


class LetterLanguage(models.Model):
    audit_type = "case"

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, primary_key=True, related_name="letter_language"
    )
    language = models.CharField(_("Language of letters"), max_length=8, choices=settings.LANGUAGES)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.case_id}: {self.language}"
