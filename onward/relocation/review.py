"""The submission review (issue 18): an officer recommends (or not, or returns the case with
comments) and a second user with `relocation.review` approves before the case may go to a
pledge. The recommender never approves their own recommendation.

The workflow's `submit` and `resubmit` refuse a case without an approved *recommend*
(`workflow.recommendation_approved`, which reads `latest_reviews` for the whole batch).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.services import audit_record
from onward.registry.models import Case
from onward.relocation.models import (
    Category,
    NoShowDismissal,
    Recommendation,
    SubmissionReview,
)


def latest_review(case: Case) -> SubmissionReview | None:
    return SubmissionReview.objects.filter(case=case).order_by("-recommended_at", "-id").first()


def latest_reviews(case_pks) -> dict[int, SubmissionReview]:
    """The latest review of each of those cases (cases never reviewed are absent), in one
    query."""
    latest: dict[int, SubmissionReview] = {}
    for review in SubmissionReview.objects.filter(case_id__in=list(case_pks)).order_by(
        "recommended_at", "id"
    ):
        latest[review.case_id] = review
    return latest


def waiting_reviews():
    """Each case's latest recommendation still waiting for a second user's approval, oldest
    first (they have waited longest): the review list, and the menu's count."""
    from django.db.models import Exists, OuterRef

    newer = SubmissionReview.objects.filter(
        case=OuterRef("case"), recommended_at__gt=OuterRef("recommended_at")
    )
    return (
        SubmissionReview.objects.filter(approved_at__isnull=True)
        .exclude(Exists(newer))
        .order_by("recommended_at", "id")
    )


def reviews_to_decide_count(user) -> int:
    """What the menu's "Reviews" entry counts for `user`: the waiting recommendations they
    may decide, i.e. of cases they may see and not their own (the recommender never
    approves their own). One query."""
    from onward.accounts import policy

    return (
        waiting_reviews()
        .filter(case__in=policy.visible_cases(user))
        .exclude(recommended_by_id=user.pk)
        .count()
    )


def approved_recommendation(case: Case) -> bool:
    """True when the case's latest review recommends it and a second user approved it."""
    review = latest_review(case)
    return bool(review and review.recommendation == Recommendation.RECOMMEND and review.is_approved)


@transaction.atomic
def recommendation_record(
    *,
    actor,
    case: Case,
    recommendation: str,
    comments: str = "",
    primary_category: str = "",
    secondary_category: str = "",
    at=None,
) -> SubmissionReview:
    require(actor, "relocation.process")
    errors: dict[str, str] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = _("Unknown recommendation %(value)r; one of %(choices)s.") % {
            "value": recommendation,
            "choices": ", ".join(Recommendation.values),
        }
    if recommendation == Recommendation.RETURN and not comments.strip():
        errors["comments"] = _("Returning a case needs comments saying what to change.")
    for field, value in (
        ("primary_category", primary_category),
        ("secondary_category", secondary_category),
    ):
        if value and value not in Category.values:
            errors[field] = _("Unknown category %(value)r.") % {"value": value}
    if recommendation == Recommendation.RECOMMEND and not primary_category:
        errors["primary_category"] = _("A recommended case needs a primary submission category.")
    if secondary_category and secondary_category == primary_category:
        errors["secondary_category"] = _("The secondary category must differ from the primary.")
    if errors:
        raise ValidationError(errors)
    review = SubmissionReview.objects.create(
        case=case,
        recommendation=recommendation,
        comments=comments,
        primary_category=primary_category,
        secondary_category=secondary_category,
        recommended_by=actor,
        recommended_at=at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="case",
        detail="submission review: recommendation",
        object_id=case.case_id,
        changes={
            "recommendation": recommendation,
            "primary_category": primary_category,
            "secondary_category": secondary_category,
        },
    )
    return review


@transaction.atomic
def recommendation_approve(*, actor, review: SubmissionReview, at=None) -> SubmissionReview:
    require(actor, "relocation.review")
    locked = SubmissionReview.objects.select_for_update().get(pk=review.pk)
    if locked.recommended_by_id == actor.pk:
        raise ValidationError(
            {
                "approved_by": _(
                    "The recommender may not approve their own recommendation; "
                    "a second user with the reviewing permission must."
                )
            }
        )
    if locked.is_approved:
        raise ValidationError({"approved_by": _("This recommendation is already approved.")})
    if latest_review(locked.case) != locked:
        raise ValidationError({"review": _("A newer recommendation replaces this one.")})
    locked.approved_by = actor
    locked.approved_at = at or timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action="update",
        object_type="case",
        detail="submission review: recommendation approved",
        object_id=locked.case.case_id,
        changes={"recommendation": locked.recommendation},
    )
    return locked


@transaction.atomic
def recommendations_approved_bulk(*, recommender, approver, rows: dict) -> int:
    """Many approved recommendations at once (the demo's history): `rows` maps a case to
    (primary category, recommended at, approved at). The same rules as one at a time:
    the recommender has `relocation.process`, the approver `relocation.review` and is
    another user; each review and each approval is audited."""
    from onward.audit.services import audit_records

    require(recommender, "relocation.process")
    require(approver, "relocation.review")
    if recommender.pk == approver.pk:
        raise ValidationError(
            {"approved_by": _("The recommender may not approve their own recommendation.")}
        )
    reviews = []
    for case, (category, recommended_at, approved_at) in rows.items():
        if category not in Category.values:
            raise ValidationError(
                {"primary_category": _("Unknown category %(value)r.") % {"value": category}}
            )
        if approved_at < recommended_at:
            raise ValidationError(
                {"approved_at": _("An approval cannot precede its recommendation.")}
            )
        reviews.append(
            SubmissionReview(
                case=case,
                recommendation=Recommendation.RECOMMEND,
                primary_category=category,
                recommended_by=recommender,
                recommended_at=recommended_at,
                approved_by=approver,
                approved_at=approved_at,
            )
        )
    SubmissionReview.objects.bulk_create(reviews, batch_size=1000)
    audit_records(
        actor=recommender,
        entries=[
            (
                "create",
                "case",
                r.case.case_id,
                {"recommendation": r.recommendation, "primary_category": r.primary_category},
                "submission review: recommendation",
            )
            for r in reviews
        ],
    )
    audit_records(
        actor=approver,
        entries=[
            (
                "update",
                "case",
                r.case.case_id,
                {"recommendation": r.recommendation},
                "submission review: recommendation approved",
            )
            for r in reviews
        ],
    )
    return len(reviews)


NO_SHOW = "No show / cannot be contacted"


def no_show_limit() -> int:
    """Missed resettlement interviews with no contact after which a case is proposed
    "not recommended" (settings.ONWARD_NO_SHOW_LIMIT, default 2)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "ONWARD_NO_SHOW_LIMIT", 2)))


def no_show_proposals(limit: int | None = None) -> list[tuple[Case, int]]:
    """Cases proposed "not recommended: no show / cannot be contacted" (Handbook 4.4), for
    an officer to confirm: at least `limit` resettlement interviews missed with no contact
    (no member present, no absence reason recorded), none completed since, and no
    not-recommend already their latest review. Oldest case id first, with the misses.
    The interviews app sits above relocation: its models are read lazily."""
    from django.apps import apps

    if not apps.is_installed("onward.interviews"):
        return []
    limit = limit or no_show_limit()
    appointment = apps.get_model("interviews", "Appointment")
    attendance = apps.get_model("interviews", "Attendance")
    interviews = appointment.objects.filter(type_id="resettlement_interview", case__isnull=False)
    contacted = set(
        attendance.objects.filter(appointment__in=interviews.filter(status="missed"))
        .exclude(present=False, absence_reason="")
        .values_list("appointment_id", flat=True)
    )
    misses: dict[int, int] = {}
    for pk, case_pk in interviews.filter(status="missed").values_list("pk", "case_id"):
        if pk not in contacted:
            misses[case_pk] = misses.get(case_pk, 0) + 1
    candidates = {pk for pk, n in misses.items() if n >= limit}
    candidates -= set(
        interviews.filter(status="completed", case_id__in=candidates).values_list(
            "case_id", flat=True
        )
    )
    latest = latest_reviews(candidates)
    dismissed: dict[int, int] = {}
    for case_pk, n in NoShowDismissal.objects.filter(case_id__in=candidates).values_list(
        "case_id", "misses"
    ):
        dismissed[case_pk] = max(dismissed.get(case_pk, 0), n)
    keep = [
        pk
        for pk in candidates
        if not (pk in latest and latest[pk].recommendation == Recommendation.NOT_RECOMMEND)
        # Dismissed: proposed again only after a further miss with no contact.
        and misses[pk] > dismissed.get(pk, 0)
    ]
    cases = Case.objects.filter(pk__in=keep).order_by("case_id")
    return [(case, misses[case.pk]) for case in cases]


@transaction.atomic
def no_show_dismiss(*, actor, case: Case, reason: str, at=None) -> NoShowDismissal:
    """An officer dismisses the no-show proposal of `case` with a reason: nothing is
    recommended, and the case is proposed again only after a further miss with no contact.
    Refused (ValidationError naming the field) without a reason or when the case is not
    proposed."""
    require(actor, "relocation.process")
    Case.objects.select_for_update().get(pk=case.pk)  # one dismissal at a time per case
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for dismissing the proposal.")})
    proposed = dict((c.pk, n) for c, n in no_show_proposals())
    if case.pk not in proposed:
        raise ValidationError(
            {"case": _("%(case)s is not proposed as a no show.") % {"case": case.case_id}}
        )
    dismissal = NoShowDismissal.objects.create(
        case=case,
        misses=proposed[case.pk],
        reason=reason.strip()[:255],
        by=actor,
        at=at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="case",
        object_id=case.case_id,
        detail="no-show proposal dismissed",
        changes={"misses": dismissal.misses, "reason": dismissal.reason},
    )
    return dismissal
