"""PostgreSQL: the audit log partitioned by month (onward/audit/partitions.py) and
`onward archive` (onward/backup/archive.py). SQLite keeps a plain table: skipped there.

The app role's refusals on the partitioned table and on a partition named directly are
in test_db_roles.py (a scratch database migrated as its owner)."""

import datetime as dt
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.accounts import roles
from onward.audit import partitions
from onward.audit.models import AuditArchive, AuditEntry
from onward.backup import archive, state

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="partitions are PostgreSQL's; SQLite keeps one table",
    ),
]

# Past months the tests fill, oldest first (the test database's partitions start at the
# month it was migrated in).
MONTHS = [dt.date(2025, m, 1) for m in (3, 4, 5, 6, 7)]


def _insert(at: dt.datetime, actor: str = "clerk", object_id: str = "P000001") -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, "
            "changes, detail, channel, path) VALUES (%s, %s, 'view', 'person', %s, "
            "'{\"a\": [1, 2]}', 'read', 'web', '/p/') RETURNING id",
            [at, actor, object_id],
        )
        return cursor.fetchone()[0]


def _partition_of(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditentry WHERE id = %s", [entry_id]
        )
        return cursor.fetchone()[0]


def _checksum() -> dict:
    with connection.cursor() as cursor:
        return state.audit_checksum(cursor)


@pytest.fixture
def past_months():
    """A partition for each of MONTHS with a few entries in it (DDL rolls back with the
    test's transaction)."""
    rng = random.Random(24)
    with connection.cursor() as cursor:
        for month in MONTHS:
            cursor.execute("SELECT onward_audit_partition(%s)", [month])
            for _ in range(rng.randint(1, 6)):
                at = dt.datetime(
                    month.year, month.month, rng.randint(1, 28), rng.randint(0, 23), tzinfo=dt.UTC
                )
                _insert(at, actor=rng.choice(["clerk", "officer"]))
    return MONTHS


def test_the_months_partitions_exist_after_migrate():
    this_month = timezone.now().astimezone(dt.UTC).date().replace(day=1)
    made = partitions.audit_partitions()
    months = [p.month for p in made if p.month]
    assert this_month in months
    assert len([m for m in months if m > this_month]) >= partitions.MONTHS_AHEAD
    assert made[-1].name == partitions.DEFAULT
    assert partitions.partitions_ahead() == 0  # already there: safe to repeat


def test_an_entry_lands_in_its_months_partition_and_the_rest_in_the_default(past_months):
    now = AuditEntry.objects.create(action="view", actor_name="clerk", object_id="P1")
    this_month = timezone.now().astimezone(dt.UTC).date().replace(day=1)
    assert _partition_of(now.pk) == partitions.month_name(this_month)
    june = _insert(dt.datetime(2025, 6, 30, 23, 59, 59, tzinfo=dt.UTC))
    assert _partition_of(june) == "audit_auditentry_y2025m06"
    july = _insert(dt.datetime(2025, 7, 1, tzinfo=dt.UTC))  # the boundary: the next month
    assert _partition_of(july) == "audit_auditentry_y2025m07"
    long_ago = _insert(dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    assert _partition_of(long_ago) == partitions.DEFAULT


def test_the_append_only_trigger_refuses_on_the_parent_and_on_a_partition(past_months):
    from django.db import DatabaseError, transaction

    entry = _insert(dt.datetime(2025, 4, 2, tzinfo=dt.UTC))
    for sql in (
        f"UPDATE audit_auditentry SET detail = 'x' WHERE id = {entry}",
        f"DELETE FROM audit_auditentry WHERE id = {entry}",
        f"UPDATE audit_auditentry_y2025m04 SET detail = 'x' WHERE id = {entry}",
        f"DELETE FROM audit_auditentry_y2025m04 WHERE id = {entry}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEntry.objects.filter(pk=entry).exists()


def _figures(users, on):
    from onward.reports import figures

    return [
        (t.key, [r.values for r in t.rows])
        for t in figures.dashboard(users[roles.DATA_MANAGER], on)
    ]


@pytest.fixture
def camp(users):
    from onward.demo.population import population_load
    from onward.demo.synthetic import generate_population

    population_load(generate_population(seed=24, persons=60))
    return users


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=st.sampled_from(MONTHS[1:]), order=st.randoms(use_true_random=False))
def test_archive_then_restore_of_random_months_changes_no_checksum_and_no_figure(
    camp, past_months, tmp_path, before, order
):
    on = timezone.localdate()
    checksum, figures = _checksum(), _figures(camp, on)
    done = archive.archive_before(before, directory=tmp_path)
    assert [e.month for e in done] == [m for m in MONTHS if m < before]
    assert all(
        not AuditEntry.objects.filter(at__year=m.year, at__month=m.month).exists()
        for m in MONTHS
        if m < before
    )
    assert _checksum()["entries"] == checksum["entries"] - sum(e.rows for e in done)
    months = [e.month for e in done]
    order.shuffle(months)
    for month in months:
        archive.restore_month(month, directory=tmp_path)
    assert _checksum() == checksum
    assert _figures(camp, on) == figures
    assert not AuditArchive.objects.filter(restored_at__isnull=True).exists()


def test_a_restore_refuses_a_file_that_does_not_match_its_checksum(past_months, tmp_path):
    archive.archive_before(MONTHS[1], directory=tmp_path)
    (tmp_path / "audit-2025-03.copy.gz").write_bytes(b"not the archive")
    with pytest.raises(archive.ArchiveError, match="SHA-256"):
        archive.restore_month(MONTHS[0], directory=tmp_path)
    assert AuditArchive.objects.get(month=MONTHS[0]).restored_at is None
    assert "audit_auditentry_y2025m03" not in [p.name for p in partitions.audit_partitions()]


def test_the_command_says_what_is_wrong_and_changes_nothing(past_months, tmp_path):
    before = _checksum()
    for args, said in (
        (["--before", "2025-13"], "not a month"),
        (["--before", "2999-01"], "only past months"),
        (["--restore", "2025-03"], "not archived"),
    ):
        with pytest.raises(CommandError, match=said):
            call_command("archive", *args, "--dir", str(tmp_path))
    assert _checksum() == before


def _archived_notice(client) -> str:
    page = client.get("/audit/").content.decode()
    found = re.search(r'<p class="warning" id="archived-months">(.*?)</p>', page, re.S)
    return found[1] if found else ""


def test_the_auditors_search_says_which_months_are_archived(users, past_months, tmp_path, client):
    client.force_login(users[roles.AUDITOR])
    assert _archived_notice(client) == ""
    archive.archive_before(MONTHS[2], directory=tmp_path)
    notice = _archived_notice(client)
    assert "2025-03" in notice and "2025-04" in notice and "2025-05" not in notice
    archive.restore_month(MONTHS[0], directory=tmp_path)
    notice = _archived_notice(client)
    assert "2025-03" not in notice and "2025-04" in notice


def test_the_search_by_user_and_month_reads_only_that_months_partition(past_months):
    from onward.audit.selectors import audit_search

    # Days are the camp's (TIME_ZONE), months the partitions' in UTC: days inside a
    # month touch only its partition.

    found = audit_search(actor="clerk", date_from=dt.date(2025, 4, 3), date_to=dt.date(2025, 4, 27))
    plan = "\n".join(found.explain().splitlines())
    assert "audit_auditentry_y2025m04" in plan
    assert "audit_auditentry_y2025m05" not in plan and "audit_auditentry_y2025m03" not in plan
