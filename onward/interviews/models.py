"""Languages spoken, interpreters, rooms and appointments (issue 18, part A).

Bookings are written only through onward.interviews.services, which refuses double
booking of a person, interviewer, interpreter or room and booking departed/removed persons.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onward.registry.models import Case, Person
from onward.shipped import shown


class Level(models.TextChoices):
    BASIC = "basic", _("Basic")
    GOOD = "good", _("Good")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("Native")


class PersonLanguage(models.Model):
    """A language a person speaks, with a level (ISO 639 code, e.g. "ar", "prs")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=8)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.FLUENT)

    class Meta:
        ordering = ["person", "language"]
        constraints = [
            models.UniqueConstraint(fields=["person", "language"], name="one_level_per_language")
        ]

    def __str__(self):
        return f"{self.person_id} {self.language} ({self.level})"


class InterpreterNeed(models.Model):
    """A person needs an interpreter, into `language`."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="interpreter_need")
    language = models.CharField(max_length=8)

    def __str__(self):
        return f"{self.person_id} needs {self.language}"


class Interpreter(models.Model):
    """An interpreter as a bookable resource; `languages` is a comma-separated code list."""

    name = models.CharField(max_length=120)
    languages = models.CharField(max_length=120, help_text=_("Comma-separated codes: ar,fa"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def speaks(self, language: str) -> bool:
        return language.strip().lower() in {
            code.strip().lower() for code in self.languages.split(",") if code.strip()
        }


class Room(models.Model):
    name = models.CharField(max_length=80, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AppointmentType(models.Model):
    """Resettlement interview, counselling, medical, pre-departure orientation, others."""

    RESETTLEMENT_INTERVIEW = "resettlement_interview"

    code = models.CharField(max_length=32, primary_key=True)
    label = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.shown_label

    @property
    def shown_label(self) -> str:
        """The label in the reader's language when it is as shipped, else as typed."""
        from onward.interviews.reference import TYPES

        return shown(self.label, TYPES.get(self.code))


class Appointment(models.Model):
    class Status(models.TextChoices):
        REQUIRED = "required", _("Required")
        PLANNED = "planned", _("Planned")
        COMPLETED = "completed", _("Completed")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        NOT_REQUIRED = "not_required", _("Not required")

    # Statuses that hold their time slot (the others free it).
    HOLDING = (Status.PLANNED, Status.COMPLETED)

    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField(null=True, blank=True, db_index=True)
    end = models.DateTimeField(null=True, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interpreter = models.ForeignKey(Interpreter, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(person__isnull=False),
                name="appointment_for_case_or_person",
            ),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True) | models.Q(end__gt=models.F("start")),
                name="appointment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.type_id} {self.case_id or self.person_id} {self.start}"


class Attendance(models.Model):
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)
    absence_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "person"], name="one_attendance_row")
        ]

    def __str__(self):
        return f"{self.person_id} {'present' if self.present else 'absent'}"


class Mission(models.Model):
    """A receiving country's selection mission (Resettlement Handbook 4.8): the pledge it
    interviews for, its days, rooms, slots per day and interviewers. The planner
    (`missions.run_planner`) proposes `MissionSlot`s; confirming books them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")

    pledge = models.ForeignKey(
        "relocation.Pledge", on_delete=models.PROTECT, related_name="missions"
    )
    name = models.CharField(max_length=120)
    first_day = models.DateField()
    last_day = models.DateField()
    day_start = models.TimeField(default=dt.time(9, 0))
    slots_per_day = models.PositiveSmallIntegerField(default=8)
    slot_minutes = models.PositiveSmallIntegerField(default=60)
    rooms = models.ManyToManyField(Room, related_name="missions")
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    interpreters = models.ManyToManyField(Interpreter, related_name="missions", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The last planner run: method, figures, seconds, the cases left out with the rule.
    plan = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="mission_last_day_after_first",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.pledge.country})"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def days(self) -> list[dt.date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=i) for i in range(n)]


class MissionSlot(models.Model):
    """One case's place in a mission's schedule; `appointment` once confirmed."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="slots")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interpreter = models.ForeignKey(
        Interpreter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    languages = models.CharField(max_length=64, blank=True)  # needed, comma-separated
    priority = models.CharField(max_length=10, blank=True)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start", "room__name"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "case"], name="one_slot_per_case"),
        ]

    def __str__(self):
        return f"M{self.mission_id} {self.case_id} {self.start}"
