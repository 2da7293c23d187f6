"""The records behind the camp's numbers: each block's figure on the dashboard links to
the residents (vacancies: the units) behind it, as of the same date; the list has the
figure's length; every resident listed is an audited read."""

import datetime as dt
import random
import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.camp.models import Block
from onward.presence.numbers import camp_numbers, residents_behind, units_with_vacancies
from onward.presence.rules import not_seen_days
from onward.presence.tests.test_numbers import D0, _random_camp

pytestmark = pytest.mark.django_db

COLUMN = {"housed": "occupied", "seen": "seen", "not_seen": "not_seen"}


@pytest.mark.parametrize("seed", range(4))
def test_each_list_has_its_figures_length_on_every_date(users, seed):
    rng = random.Random(seed)
    _random_camp(users, rng)
    days = not_seen_days()
    for offset in (0, 9, 17, 30):
        day = D0 + dt.timedelta(days=offset)
        numbers = camp_numbers(day, days=days)
        for n in numbers:
            b = n["block"].pk
            for measure, column in COLUMN.items():
                got = residents_behind(measure, day, days=days, block_id=b).count()
                assert got == n[column], (measure, day, n["block"].code)
            absent = residents_behind("absent", day, days=days, block_id=b).count()
            assert absent == n["housed"] - n["seen"]
            units = list(units_with_vacancies(day, block_id=b))
            listed = sum(u.vacancies for u in units)
            # A unit allocated over its places (an override) nets against the block's
            # figure; the list names each unit's own free places.
            assert listed >= n["vacancies"]
            assert all(u.vacancies > 0 for u in units)
        # "All blocks": the lists without a block are the sums.
        total = residents_behind("not_seen", day, days=days, block_id=None).count()
        assert total == sum(n["not_seen"] for n in numbers)


def test_the_dashboard_links_each_block_figure_to_its_residents_audited(client, users):
    _random_camp(users, random.Random(7), blocks=3, persons=12)
    day = D0 + dt.timedelta(days=12)
    client.force_login(users[roles.DATA_MANAGER])
    html = client.get(reverse("dashboard") + f"?as_of={day}").content.decode()
    links = {unescape(u) for u in re.findall(r'href="([^"]*figure=camp_[^"]*)"', html)}
    assert links, "no camp figure links to its records"
    numbers = {n["block"].pk: n for n in camp_numbers(day, days=not_seen_days())}
    checked = 0
    for url in sorted(links):
        assert f"as_of={day}" in url
        m = re.search(r"figure=camp_(\w+)&block=(\d+)", url)
        if not m or m.group(1) != "not_seen":
            continue
        mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page = client.get(url).content.decode()
        persons = re.findall(r'class="mono" href="/persons/[^"]+/"><bdi>(P\d+)</bdi>', page)
        assert len(persons) == numbers[int(m.group(2))]["not_seen"]
        viewed = AuditEntry.objects.filter(
            pk__gt=mark, action=AuditEntry.Action.VIEW, object_type="person"
        )
        assert sorted(viewed.values_list("object_id", flat=True)) == sorted(persons)
        assert AuditEntry.objects.filter(object_type="figure", object_id="camp_not_seen").exists()
        checked += 1
    assert checked


def test_an_unknown_block_or_measure_is_a_404_with_a_denied_entry(client, users):
    _random_camp(users, random.Random(1), blocks=1, persons=2)
    client.force_login(users[roles.AUDITOR])
    records = reverse("report_records")
    block = Block.objects.get().pk
    assert client.get(f"{records}?figure=camp_not_seen&block={block}").status_code == 200
    for query in (
        "figure=camp_not_seen&block=99999",
        "figure=camp_nobody",
        "figure=camp_seen&block=x",
    ):
        assert client.get(f"{records}?{query}").status_code == 404
    assert (
        AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, object_type="figure").count()
        == 3
    )
    # A delegation never reaches the camp's records.
    client.force_login(users[roles.DELEGATION])
    assert client.get(f"{records}?figure=camp_housed&block={block}").status_code == 404


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own forms")
def test_todays_figures_from_last_seen_equal_the_events_lookup(users):
    """Today's presence figures read `LastSeen` (one join); they equal the per-resident
    lookup of the events that past dates use, scans recorded through the service."""
    from onward.camp import services as camp
    from onward.camp.models import Site, Unit
    from onward.presence import numbers
    from onward.presence import services as presence
    from onward.relocation.tests.factories import make_case

    today = timezone.localdate()
    block = Block.objects.create(site=Site.objects.create(name="Camp L"), code="B1")
    unit = Unit.objects.create(block=block, code="U1", capacity=20)
    rng = random.Random(3)
    for p in make_case(users, size=9).members.all():
        camp.allocate(actor=users[roles.CLERK], person=p, unit=unit, on=today, reason="r")
        for _ in range(rng.randint(0, 3)):
            back = rng.choice([0, 0, 1, 3, 8, 20])
            at = timezone.now() - dt.timedelta(days=back, minutes=rng.randint(1, 300))
            presence.presence_record(
                actor=users[roles.CLERK], checkpoint="gate", person=p, method="manual", at=at
            )
    days = 7
    end = numbers._start_of(today + dt.timedelta(days=1))
    since = numbers._start_of(today - dt.timedelta(days=days - 1))
    start = numbers._start_of(today)
    lateral = numbers._presence_by_block_lateral(today, start=start, since=since, end=end)
    from_last = numbers._presence_by_block_last_seen(today, start=start, since=since)
    assert from_last == lateral and lateral[block.pk]["housed"] == 9
    row = camp_numbers(today, days=days)[0]
    assert (row["seen"], row["not_seen"]) == (
        lateral[block.pk]["seen"],
        lateral[block.pk]["not_seen"],
    )
