"""E-mail digests of a user's open tasks (docs/tasks.md, "E-mail digests").

A user chooses the task kinds (rule names) and how often (never, daily, weekly). A
digest is made once (`Digest`: its subject and text stored) and then delivered through
Django's e-mail framework; a delivery that fails stays pending with its attempts and last
error and is tried again later, with a growing wait — never dropped. Its text carries
task ids, kinds, due dates, the subject's type and id and links, never a title, a name
or anything else about a person. It is written in the recipient's language (the one chosen
on their account; the site's default when they follow their browser's), once, when made.
"""

import datetime as dt
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onward.accounts import roles
from onward.accounts.preferences import language_offered
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.tasks.models import Digest, DigestPreference, Task, subject_label
from onward.tasks.rules import RULES, rule_label
from onward.tasks.selectors import DUE_SOON_DAYS, visible_tasks

Frequency = DigestPreference.Frequency
RETRY_FIRST = dt.timedelta(minutes=5)
RETRY_MOST = dt.timedelta(hours=6)
DIGEST_MOST_TASKS = 200  # a digest lists at most these; the rest are counted


def preference_of(user) -> DigestPreference:
    """The user's choice; unsaved `never` when they have not chosen."""
    return DigestPreference.objects.filter(user=user).first() or DigestPreference(user=user)


def preference_set(*, user, frequency: str, rules: list[str]) -> dict:
    """Store the user's digest choice, audited; a frequency or kind outside the choices is
    a ValueError and nothing is written. Returns the changes."""
    if frequency not in Frequency.values:
        raise ValueError(_("“%(str)s” is not a digest frequency.") % {"str": str(frequency)[:20]})
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValueError(_("Not a task kind: %(items)s.") % {"items": ", ".join(unknown)[:80]})
    pref = preference_of(user)
    rules = sorted(set(rules))
    changes = {}
    if pref.frequency != frequency:
        changes["digest_frequency"] = [pref.frequency, frequency]
    if sorted(pref.rules) != rules:
        changes["digest_kinds"] = [", ".join(pref.rules), ", ".join(rules)]
    if not changes:
        return {}
    with transaction.atomic():
        pref.frequency, pref.rules = frequency, rules
        pref.save()
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            object_type="user",
            object_id=user.username,
            changes=changes,
            detail="e-mail digest preferences changed by the user",
        )
    return changes


def is_due(pref: DigestPreference, now: dt.datetime) -> bool:
    """Daily: not made yet today; weekly: not made in the last 7 days (by local dates)."""
    if pref.frequency == Frequency.NEVER:
        return False
    if pref.last_made_at is None:
        return True
    gap = (timezone.localtime(now).date() - timezone.localtime(pref.last_made_at).date()).days
    return gap >= (1 if pref.frequency == Frequency.DAILY else 7)


def _link(path: str) -> str:
    return f"{settings.ONWARD_BASE_URL}{path}"


def recipient_language(user) -> str:
    """The language a digest to `user` is written in: their account's choice, else the
    site's default (an e-mail has no browser to follow)."""
    return user.language if language_offered(user.language) else settings.LANGUAGE_CODE


def digest_text(user, pref: DigestPreference, now: dt.datetime) -> tuple[str, str, int]:
    """Subject, text and number of tasks of the user's digest now: ids and links only,
    in the user's language (`recipient_language`)."""
    with translation.override(recipient_language(user)):
        return _digest_text(user, pref, now)


def _digest_text(user, pref: DigestPreference, now: dt.datetime) -> tuple[str, str, int]:
    today = timezone.localtime(now).date()
    tasks = visible_tasks(user).filter(state=Task.State.OPEN).order_by("due", "id")
    if pref.rules:
        tasks = tasks.filter(rule__in=pref.rules)
    rows = list(tasks.values_list("pk", "rule", "due", "subject_type", "subject_id"))
    overdue = sum(1 for r in rows if r[2] < today)
    soon = sum(1 for r in rows if today <= r[2] <= today + dt.timedelta(days=DUE_SOON_DAYS))
    since = pref.last_made_at
    new = set(tasks.filter(created_at__gt=since).values_list("pk", flat=True)) if since else set()
    my_tasks = _link(reverse("my_tasks"))
    counts = {"open": len(rows), "overdue": overdue, "soon": soon, "days": DUE_SOON_DAYS}
    lines = [
        _("Onward: your open tasks on %(day)s") % {"day": today},
        "",
        _(
            "%(open)s open, %(overdue)s overdue, %(soon)s due within %(days)s days, "
            "%(new)s new since the last digest."
        )
        % {**counts, "new": len(new)}
        if since
        else _("%(open)s open, %(overdue)s overdue, %(soon)s due within %(days)s days.") % counts,
        "",
    ]
    for pk, rule, due, subject_type, subject_id in rows[:DIGEST_MOST_TASKS]:
        mark = " " + pgettext("digest", "(new)") if pk in new else ""
        when = _("due %(day)s") % {"day": due}
        lines.append(
            f"T{pk}{mark}  {rule_label(rule)}  {when}  {subject_label(subject_type)} {subject_id}  "
            f"{my_tasks}#task-{pk}"
        )
    if len(rows) > DIGEST_MOST_TASKS:
        lines.append(
            _("… and %(n)s more: %(link)s") % {"n": len(rows) - DIGEST_MOST_TASKS, "link": my_tasks}
        )
    lines += [
        "",
        _("My tasks: %(link)s") % {"link": my_tasks},
        _("Your digest choices: %(link)s") % {"link": _link("/account/preferences/")},
    ]
    subject = _("Onward: %(open)s open tasks (%(overdue)s overdue) on %(day)s") % {
        **counts,
        "day": today,
    }
    return subject, "\n".join(lines) + "\n", len(rows)


def _subscribers():
    return (
        DigestPreference.objects.exclude(frequency=Frequency.NEVER)
        .filter(user__is_active=True)
        .exclude(user__role=roles.DELEGATION)
        .select_related("user")
    )


def digests_make(*, now: dt.datetime) -> int:
    """Make the digests that are due (one per subscriber whose period has come and who has
    open tasks of the chosen kinds). Returns how many were made."""
    made = 0
    for candidate in _subscribers():
        if not is_due(candidate, now):
            continue
        with transaction.atomic():
            # Locked and checked again: two workers at once make one digest, not two.
            pref = DigestPreference.objects.select_for_update().get(pk=candidate.pk)
            pref.user = candidate.user
            if not is_due(pref, now):
                continue
            subject, body, count = digest_text(pref.user, pref, now)
            if count:
                Digest.objects.create(
                    user=pref.user,
                    made_at=now,
                    subject=subject,
                    body=body,
                    tasks=count,
                    next_attempt_at=now,
                )
                made += 1
            pref.last_made_at = now
            pref.save(update_fields=["last_made_at"])
    return made


def _retry_wait(attempts: int) -> dt.timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MOST)


def deliver(digest: Digest, *, now: dt.datetime) -> bool:
    """Send one digest; on failure keep it pending, count the attempt, store the error and
    set when it is tried again. Returns whether it was delivered."""
    digest.attempts += 1
    digest.last_attempt_at = now
    error = ""
    to = digest.user.email.strip()
    if not to:
        error = "the account has no e-mail address"
    else:
        try:
            EmailMessage(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [to]).send()
        except (smtplib.SMTPException, OSError) as exc:  # refused, down, timed out
            error = f"{type(exc).__name__}: {exc}"
    if error:
        digest.last_error = error[:500]
        digest.next_attempt_at = now + _retry_wait(digest.attempts)
    else:
        digest.state, digest.sent_at, digest.last_error = Digest.State.SENT, now, ""
    digest.save()
    return not error


def send_digests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the digests that are due, then deliver every pending digest whose time has
    come (new ones and retries). Idempotent: run it as often as you like."""
    now = now or timezone.now()
    made = digests_make(now=now)
    sent = failed = 0
    due = Digest.objects.filter(state=Digest.State.PENDING, next_attempt_at__lte=now)
    for pk in list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)):
        with transaction.atomic():
            # A digest another worker is delivering is left to it (sent once, not twice).
            digest = (
                due.select_for_update(skip_locked=True).select_related("user").filter(pk=pk).first()
            )
            if digest is None:
                continue
            if deliver(digest, now=now):
                sent += 1
            else:
                failed += 1
    return {"made": made, "sent": sent, "failed": failed}


def failing_for(user):
    """The user's digests that failed and are waiting to be tried again."""
    return Digest.objects.filter(user=user, state=Digest.State.PENDING, attempts__gt=0)


def failing_count() -> int:
    """Every user's failing digests (for the administrator)."""
    return Digest.objects.filter(state=Digest.State.PENDING, attempts__gt=0).count()
