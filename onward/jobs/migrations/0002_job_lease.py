# A lease on a running job, its attempts and where it was asked from (issue 16).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="job",
            name="max_attempts",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="job",
            name="lease_owner",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="job",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="job",
            name="history",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="job",
            name="origin",
            field=models.JSONField(blank=True, default=dict),
        ),
        # A job that was running before leases existed has none: the first worker to start
        # after the upgrade takes it back (a NULL lease counts as expired). Count it as
        # the one attempt it was.
        migrations.RunSQL(
            "UPDATE jobs_job SET attempts = 1 WHERE status IN ('running', 'done', 'failed')",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
