"""The three fixed exit checks become requirements of every country that has a pledge,
and each recorded check becomes a passed fact for every member of its case then, dated
the day it was done (docs/readiness.md). Frozen: no application code; the ExitCheck rows
stay as they were (append-only history)."""

from django.db import migrations
from django.utils import timezone

# ExitCheck kind -> requirement kind (frozen copy).
KINDS = {
    "travel_documents": "travel_document",
    "medical_clearance": "health_assessment",
    "exit_permit": "exit_permit",
}


def forwards(apps, schema_editor):
    Pledge = apps.get_model("relocation", "Pledge")
    ExitCheck = apps.get_model("relocation", "ExitCheck")
    Person = apps.get_model("registry", "Person")
    Requirement = apps.get_model("readiness", "Requirement")
    Fact = apps.get_model("readiness", "Fact")
    for country in sorted(set(Pledge.objects.values_list("country", flat=True))):
        for kind in KINDS.values():
            Requirement.objects.get_or_create(country=country, kind=kind, pledge=None)
    members: dict[int, list[int]] = {}
    for pk, case_id in Person.objects.filter(
        merged_into__isnull=True, removed_at__isnull=True
    ).values_list("pk", "case_id"):
        members.setdefault(case_id, []).append(pk)
    facts = []
    for check in ExitCheck.objects.order_by("done_at", "id").iterator():
        day = timezone.localtime(check.done_at).date()
        note = f"exit check {check.pk}" + (f": {check.note}" if check.note else "")
        for person_id in members.get(check.case_id, []):
            facts.append(
                Fact(
                    person_id=person_id,
                    kind=KINDS[check.kind],
                    status="passed",
                    on=day,
                    recorded_by_id=check.by_id,
                    evidence=note[:255],
                )
            )
        if len(facts) >= 5000:
            Fact.objects.bulk_create(facts)
            facts = []
    Fact.objects.bulk_create(facts)


def backwards(apps, schema_editor):
    Fact = apps.get_model("readiness", "Fact")
    Fact.objects.filter(evidence__startswith="exit check ").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0001_initial"),
        ("relocation", "0005_submission_review"),
        ("registry", "0011_derived_version"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
