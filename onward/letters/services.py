"""Writing the household's letter language (audited)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.letters.language import letter_language
from onward.letters.models import LetterLanguage


def language_set(*, actor, case, language: str) -> LetterLanguage:
    """Chooses the language of the case's letters. Refused: a language Onward has no
    catalog for (settings.LANGUAGES), a role that may not edit the registry."""
    require(actor, "registry.edit")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(
            _("%(language)r is not a language of Onward's letters.") % {"language": language}
        )
    with transaction.atomic():
        before = letter_language(case)
        chosen, _created = LetterLanguage.objects.update_or_create(
            case=case, defaults={"language": language, "updated_by": actor}
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="case",
            object_id=case.case_id,
            changes={"letter_language": [before, language]},
        )
    case.letter_language = chosen
    return chosen
