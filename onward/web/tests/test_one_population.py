"""One figure, one meaning: the population that the overview, the population page, the
reports (page, PDF, XLSX) and the API give for a date is the ledger's for that date, and
the registry's count of the residents present then, over a history with departures of
every kind, a birth, deaths, a corrected departure and a transfer."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from onward.accounts import roles
from onward.movements import services as movements
from onward.movements.ledger import population_on, registry_present_on
from onward.movements.tests.factories import D0, TRANSFER_DAY, family, ready_case
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db


def headline_figures(client, user, day: dt.date, *, files: bool = True) -> dict[str, int]:
    """The population each page, file and API answer gives for `day`, read as a person
    (or a script) reads it: the overview on that day, the others asked for that date;
    `files`: the situation report's PDF and XLSX too (a second or two each)."""
    client.force_login(user)
    ledger = client.get(reverse("ledger"), {"on": str(day)}).content.decode()
    dashboard = client.get(reverse("dashboard"), {"as_of": str(day)}).content.decode()
    figure = dashboard[dashboard.index('id="figure-population_total"') :]
    out = {
        "population page": int(re.search(r'id="population-total">(\d+)<', ledger)[1]),
        "reports page": int(re.search(r"<td[^>]*>(?:<a [^>]*>)?(\d+)<", figure)[1]),
        "API": client.get(reverse("api_population"), {"on": str(day)}).json()["total"],
    }
    if files:
        pdf = PdfReader(io.BytesIO(client.get(reverse("report_pdf"), {"as_of": str(day)}).content))
        pdf_text = " ".join(pdf.pages[0].extract_text().split())
        out["reports PDF"] = int(re.search(r"Key figures .*?Population (\d+)", pdf_text)[1])
        xlsx = load_workbook(
            io.BytesIO(client.get(reverse("report_xlsx"), {"as_of": str(day)}).content)
        )
        out["reports XLSX"] = xlsx["population_total"]["B3"].value
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with time_machine.travel(noon, tick=False):
        client.force_login(user)  # a session's clock runs from its sign-in
        home = client.get("/").content.decode()
    out["overview"] = int(re.search(r'id="overview-population">(\d+)<', home)[1])
    return out


def assert_one_figure(client, user, day: dt.date, *, files: bool = True) -> int:
    figures = headline_figures(client, user, day, files=files)
    want = population_on(day)
    assert want == registry_present_on(day)
    assert figures == dict.fromkeys(figures, want), (day, figures)
    return want


@pytest.fixture
def history(users):
    clerk, officer = users[roles.CLERK], users[roles.PROTECTION]
    households = [
        family(clerk, arrival=D0 + dt.timedelta(days=14 * i), given_name=f"Hh{i}") for i in range(5)
    ]
    (_c0, man0, wife0), (_c1, man1, _w1), (_c2, man2, _w2), (_c3, man3, wife3), _ = households
    for person, kind, on in (
        (man0, "left_own_accord", dt.date(2013, 2, 1)),
        (man1, "deceased", dt.date(2013, 2, 15)),
        (wife3, "deceased", dt.date(2013, 2, 15)),
        (man2, "repatriated", dt.date(2013, 3, 1)),
        (man3, "whereabouts_unknown", dt.date(2013, 3, 10)),
    ):
        movements.departure_record(actor=officer, person=person, kind=kind, on=on)
    movements.birth_record(
        actor=officer,
        mother=wife0,
        on=dt.date(2013, 2, 20),
        child={"given_name": "Baby", "family_name": "Rezaei", "sex": "F"},
    )
    wrong = households[4][1]
    movements.departure_record(
        actor=officer, person=wrong, kind="left_own_accord", on=dt.date(2013, 3, 2)
    )
    wrong.refresh_from_db()
    movements.departure_correct(actor=officer, person=wrong, reason="seen at roll call")
    albania, rs = pledge(users), users[roles.RESETTLEMENT]
    transfer = movements.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=9)
    for size in (3, 2):
        movements.transfer_case_add(
            actor=rs, transfer=transfer, case=ready_case(users, albania, size=size)
        )
    movements.transfer_confirm(actor=rs, transfer=transfer)
    return users


# Households of 2 arrive every 14 days from D0, the transfer's 3 + 2 on D0; one left on 1
# February, two died on 15 February (gone that day), a birth on 20 February, a
# repatriation on 1 March, a departure on 2 March corrected (never counted), one
# whereabouts unknown on 10 March, and the 5 flew out on the transfer's day.
EXPECTED = {
    D0 - dt.timedelta(days=1): 0,
    D0 + dt.timedelta(days=20): 4 + 5,
    dt.date(2013, 2, 15): 8 + 5 - 3,
    dt.date(2013, 2, 20): 8 + 5 - 3 + 1,
    dt.date(2013, 3, 2): 10 + 5 - 4 + 1,
    TRANSFER_DAY - dt.timedelta(days=1): 10 + 5 - 5 + 1,
    TRANSFER_DAY: 10 + 5 - 5 + 1 - 5,
}


def test_every_page_file_and_api_gives_the_ledgers_population_for_its_date(history, client):
    """Five dates; the situation report's files (a second or two each) on the last."""
    user = history[roles.DATA_MANAGER]
    days = [
        D0 - dt.timedelta(days=1),
        dt.date(2013, 2, 15),
        dt.date(2013, 2, 20),
        dt.date(2013, 3, 2),
        TRANSFER_DAY,
    ]
    seen = {day: assert_one_figure(client, user, day, files=day == TRANSFER_DAY) for day in days}
    assert seen == {day: EXPECTED[day] for day in days}


@pytest.mark.slow
def test_the_same_with_every_file_on_every_date(history, client):
    user = history[roles.DATA_MANAGER]
    for day, want in [*EXPECTED.items(), (dt.date.today(), 6)]:
        assert assert_one_figure(client, user, day) == want


def test_the_overview_names_the_quantity_it_gives(history, client):
    client.force_login(history[roles.CLERK])
    html = client.get("/").content.decode()
    assert "persons in open cases" not in html
    assert "residents present on" in html and "open cases (not relocated or merged" in html


def check_every_channel_agrees_on_the_demo(client):
    """On the played reference operation (called by the demo's test, which plays it once
    for all its checks): the population on two dates on every channel, and Albania's
    delegation reads every number it is shown as the records hold it (the women and the
    adults of 18–59 hidden, not "<5")."""
    from onward.accounts.models import User
    from onward.reports import figures as F
    from onward.reports.tests.test_shared_figures import _expected, _page_cells

    manager = User.objects.get(username="datamanager")
    for day in (dt.date(2013, 9, 11), dt.date(2013, 12, 31)):
        assert_one_figure(client, manager, day)
    delegation = User.objects.get(username="delegation")
    client.force_login(delegation)
    html = client.get(reverse("dashboard")).content.decode()
    assert "&lt;5" not in html
    truth = {t.key: t for t in F.dashboard(delegation, dt.date.today())}
    for t in F.report_tables(delegation, dt.date.today()):
        if t.rows:
            assert _page_cells(html, t.key) == _expected(truth[t.key], t), t.key
