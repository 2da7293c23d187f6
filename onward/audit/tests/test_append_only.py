import pytest
from django.db import DatabaseError, connection, transaction

from onward.audit.models import AppendOnlyError, AuditEntry
from onward.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(clerk):
    return audit_record(actor=clerk, action="view", object_type="person", object_id="P000001")


def test_the_application_cannot_change_or_delete_an_entry(entry):
    entry.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_database_refuses_an_update_even_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses DELETE too")
def test_postgresql_refuses_a_delete_even_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_logins_and_failed_logins_are_audited(client, clerk):
    before = AuditEntry.objects.count()  # the users' creation
    client.post("/login/", {"username": "t_clerk", "password": "wrong-password"})
    client.post("/login/", {"username": "t_clerk", "password": "pw-for-tests-123"})
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_name"))[before:]
    assert actions == [("login_failed", "t_clerk"), ("login", "t_clerk")]
    assert AuditEntry.objects.get(action="login").ip == "127.0.0.1"


def test_a_write_and_its_audit_entry_land_together_or_not_at_all(clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=clerk, action="update", object_type="person", object_id="P1")
        raise RuntimeError("the write failed after its audit entry")
    assert not AuditEntry.objects.exclude(object_type="user").exists()  # only the users made
