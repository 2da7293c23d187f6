"""Relocation: pledges of third countries, each case's place in the workflow, submissions
to pledges, exit checks, and the append-only history every figure is computed from.

The state of a case changes only through `workflow.py` (called by `services.py`); nothing
here is edited by hand. History rows (`CaseTransition`, `PledgeChange`, `ExitCheck`) are
append-only: a wrong entry is undone by a reversing one.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onward.accounts.scope import refuse_scope_change
from onward.appendonly import AppendOnly
from onward.shipped import shown


class CapacityDimension(models.Model):
    """A managed list of what pledges count: persons, medical places, large-family places."""

    code = models.SlugField(max_length=24, primary_key=True)
    label = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return self.shown_label

    @property
    def shown_label(self) -> str:
        """The label in the reader's language when it is as shipped, else as typed."""
        from onward.relocation.reference import SHIPPED

        return shown(self.label, SHIPPED.get(self.code))

    @classmethod
    def shown_labels(cls) -> dict[str, str]:
        """{code: label as shown} of every dimension, in one query."""
        from onward.relocation.reference import SHIPPED

        rows = cls.objects.values_list("code", "label")
        return {code: shown(label, SHIPPED.get(code)) for code, label in rows}


@dataclass(frozen=True)
class PledgeStanding:
    """Whether a pledge takes cases on a day, derived from its status and its validity
    dates on that day (never stored: a stored "open" would go stale the day after the
    pledge ends)."""

    code: str  # open | not_yet_open | ended | draft | closed
    label: str  # what a person reads: "Open", "Closed: ended 2013-12-31", …
    reason: str  # why it takes no cases, naming the dates: "is closed on …" ("" if open)

    @property
    def takes_cases(self) -> bool:
        return self.code == "open"

    @property
    def css(self) -> str:
        """The tag class: open, draft (not yet) or closed."""
        return {"open": "open", "not_yet_open": "draft", "draft": "draft"}.get(self.code, "closed")


class Pledge(models.Model):
    """A third country's offer of places, with capacities, criteria and a validity period.

    A pledge takes submissions and acceptances on a day only when its status is `open`
    and the day lies within its validity (`standing_on`); a `draft` pledge (a country
    still considering) and a `closed` one take nothing.
    """

    audit_type = "pledge"

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("status", "Under consideration")
        OPEN = "open", pgettext_lazy("status", "Open")
        CLOSED = "closed", pgettext_lazy("status", "Closed")

    country = models.CharField(max_length=3, db_index=True, help_text="ISO 3166-1 alpha-3")
    name = models.CharField(max_length=120)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Criteria. Empty lists mean "no restriction".
    max_case_size = models.PositiveSmallIntegerField(null=True, blank=True)
    needs_served = models.JSONField(default=list, blank=True)
    needs_not_served = models.JSONField(default=list, blank=True)
    nationalities = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["country", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="pledge_valid_to_after_valid_from",
            ),
        ]

    def __str__(self):
        return f"{self.country} · {self.name}"

    def save(self, *args, **kwargs):
        # Scope fields are frozen once they matter (accounts/scope.py): no path changes
        # them silently, whatever calls save().
        refuse_scope_change(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def validity(self) -> str:
        return f"valid {self.valid_from} to {self.valid_to or 'open end'}"

    def standing_on(self, day: dt.date) -> PledgeStanding:
        """Open, not open yet, ended, under consideration or closed on `day`."""
        if self.status == self.Status.DRAFT:
            return PledgeStanding(
                "draft", str(self.Status.DRAFT.label), f"is under consideration ({self.validity})"
            )
        if self.status == self.Status.CLOSED:
            return PledgeStanding(
                "closed", str(self.Status.CLOSED.label), f"is closed ({self.validity})"
            )
        if day < self.valid_from:
            return PledgeStanding(
                "not_yet_open",
                f"Opens {self.valid_from}",
                f"is not open yet on {day}: it opens on {self.valid_from} ({self.validity})",
            )
        if self.valid_to and day > self.valid_to:
            return PledgeStanding(
                "ended",
                f"Closed: ended {self.valid_to}",
                f"is closed on {day}: its validity ended on {self.valid_to} ({self.validity})",
            )
        return PledgeStanding("open", str(self.Status.OPEN.label), "")

    @property
    def standing(self) -> PledgeStanding:
        """`standing_on` today (the pages' "Status")."""
        from django.utils import timezone

        return self.standing_on(timezone.localdate())


class PledgeCapacity(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="capacities")
    dimension = models.ForeignKey(CapacityDimension, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["dimension__order", "dimension_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "dimension"], name="one_capacity_per_dimension"
            )
        ]

    def __str__(self):
        return f"{self.pledge_id} {self.dimension_id}={self.capacity}"


class PledgeChange(AppendOnly):
    """A dated line of a pledge's history: created, criteria or capacities changed, closed."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.pledge_id} {self.at:%Y-%m-%d} {self.note}"


class State(models.TextChoices):
    NOT_IDENTIFIED = "not_identified", _("Not identified")
    IDENTIFIED = "identified", _("Identified for relocation")
    ASSESSED = "assessed", _("Assessed")
    SUBMITTED = "submitted", _("Submitted")
    DEFERRED = "deferred", _("Deferred")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    READY = "ready", _("Ready for departure")
    DEPARTED = "departed", _("Departed")
    ON_HOLD = "on_hold", _("On hold")


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class Category(models.TextChoices):
    """UNHCR resettlement submission categories."""

    LPN = "LPN", _("Legal and/or physical protection needs")
    SVT = "SVT", _("Survivors of violence and/or torture")
    MED = "MED", _("Medical needs")
    WAR = "WAR", _("Women and girls at risk")
    FRU = "FRU", _("Family reunification")
    CAR = "CAR", _("Children and adolescents at risk")
    LAI = "LAI", _("Lack of foreseeable alternative durable solutions")


class RelocationCase(models.Model):
    """Where one registry case stands in the relocation workflow. No row: not identified.

    `state` changes only through `workflow.py`; `version` is the optimistic lock;
    `return_state` is the state an `on_hold` case goes back to when released.
    """

    audit_type = "case"

    case = models.OneToOneField(
        "registry.Case", on_delete=models.PROTECT, related_name="relocation"
    )
    state = models.CharField(max_length=16, choices=State.choices, db_index=True)
    category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    interviewed_on = models.DateField(null=True, blank=True)
    return_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    state_entered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case__case_id"]

    def __str__(self):
        return f"{self.case_id} {self.state}"

    @property
    def public_id(self) -> str:
        return self.case.case_id


class Submission(models.Model):
    """A case put to one pledge. Open while awaiting a decision or accepted; a case has at
    most one open submission (the partial unique constraint, and the workflow's guard).

    `usage` is what the case uses of each capacity dimension, taken at submission and
    again at acceptance (under the pledge's lock): the pledge's figures sum it.
    """

    audit_type = "submission"

    class Decision(models.TextChoices):
        PENDING = "", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="submissions")
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="submissions")
    category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    usage = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        max_length=10, choices=Decision.choices, blank=True, default="", db_index=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    departed_on = models.DateField(null=True, blank=True)
    # A split decision (Handbook 4.10): the person ids of the members the country
    # accepted, when not all of them; null (or empty) means the whole case. Nullable so
    # that adding it does not rebuild the table under its triggers on SQLite.
    accepted_members = models.JSONField(null=True, blank=True)
    # A deferral keeps the submission open and pending (it is not a refusal); the date
    # the country said it would decide by, when it gave one.
    deferred_until = models.DateField(null=True, blank=True)
    # Linked cases (family unity, dependency; Handbook 4.7) go to the same pledge together;
    # submitted apart only with the officer's reason, kept here (and in the audit entry),
    # with the linked cases it went apart from. Nullable, like the fields above, so that
    # adding them does not rebuild the table under its triggers on SQLite.
    separate_reason = models.TextField(null=True, blank=True)  # noqa: DJ001 (see above)
    separate_from = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decision__in=["", "accepted"]),
                name="one_open_submission_per_case",
            ),
        ]
        indexes = [
            # The accepted cases of one pledge in case order (the readiness matrix and
            # "who can fly on D" walk them so, keyset-paged: docs/benchmarks.md).
            models.Index(
                fields=["pledge", "case"],
                condition=models.Q(decision="accepted"),
                name="accepted_submission_by_pledge",
            ),
        ]

    def __str__(self):
        return f"S{self.pk} {self.case_id}→{self.pledge_id} {self.decision or 'pending'}"

    def save(self, *args, **kwargs):
        # Scope fields are frozen once they matter (accounts/scope.py): no path changes
        # them silently, whatever calls save().
        refuse_scope_change(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.decision in ("", "accepted")

    @property
    def is_split(self) -> bool:
        return self.decision == self.Decision.ACCEPTED and bool(self.accepted_members)


class InformationRequest(models.Model):
    """A country's request for more information on a submission (what, by when) and the
    officer's answer. Asked by `request_info`, answered by `answer_info` (workflow.py);
    the submission stays open and pending meanwhile."""

    audit_type = "submission"

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="information_requests"
    )
    case = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="information_requests"
    )
    question = models.TextField()
    due_on = models.DateField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self):
        return f"S{self.submission_id} asked {self.asked_at:%Y-%m-%d}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CaseTransition(AppendOnly):
    """One step of a case through the workflow: who, when, from what, to what, and why.

    Time spent per state is computed from these rows alone.
    """

    case = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="relocation_transitions"
    )
    from_state = models.CharField(max_length=16, choices=State.choices)
    to_state = models.CharField(max_length=16, choices=State.choices, db_index=True)
    action = models.CharField(max_length=16, db_index=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="transitions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case_id} {self.from_state}→{self.to_state} ({self.action})"


class ExitCheck(AppendOnly):
    """One exit requirement checked for a case's accepted submission."""

    class Kind(models.TextChoices):
        TRAVEL_DOCUMENTS = "travel_documents", _("Travel documents")
        MEDICAL_CLEARANCE = "medical_clearance", _("Medical clearance")
        EXIT_PERMIT = "exit_permit", _("Exit permit")

    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="exit_checks")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="exit_checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    done_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind"], name="one_exit_check_per_kind")
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind}"


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")
    RETURN = "return", _("Return with comments")


class SubmissionReview(models.Model):
    """An officer's recommendation on a case before submission, and the second user's
    approval of it (`relocation.review`, never the recommender). The latest row of a case
    is the one that counts; earlier rows stay as its history.
    """

    audit_type = "submission_review"

    case = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="submission_reviews"
    )
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    comments = models.TextField(blank=True)
    primary_category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    secondary_category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recommended_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.recommendation}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class NoShowDismissal(models.Model):
    """An officer's "no" to the no-show proposal of a case (review.no_show_proposals):
    the case was reached after all, say. It holds the proposal back until the case misses
    more interviews with no contact than it had missed when dismissed."""

    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    misses = models.PositiveIntegerField()
    reason = models.CharField(max_length=255)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} no-show dismissed at {self.misses}"
