"""Every figure of the dashboard and the reports, true for one date, within a user's scope.

A figure is a `Table` (rows of numbers with their labels, the date it is true for, and
for each number the filters of the records behind it), built by the section functions
below from the other apps' selectors:

- population: `movements.ledger.population` (the ledger's rollups: total, by sex, age
  band, need and nationality, a sum over a few thousand rows at any date), the monthly
  series `movements.rollup.rollup_monthly_series`;
- departures by type per month: ledger entries of a departure kind that no correction
  reverses (a correction is dated like the entry it reverses, so this is the net count);
- relocation: `relocation.selectors.funnel` and `average_days_in_state` (both take
  `as_of`); pledge use as of a date is computed here from the submissions' dates, since
  `pledge_figures` has no `as_of` (same rules: a case counts once, by its latest
  submission to the pledge);
- duplicates: `dedup.DuplicatePair` found / open / resolved by `found_at` and `decided_at`;
- incidents: `incidents.selectors.incident_figures` over the claims stated by the date.

"As of d" means: what the records now say was true at the end of day d. A correction
recorded later changes the figure for d (the ledger's rule), and the figure says d.

Scope: a delegation sees figures about its own country's submissions only (the funnel and
pledge use of its pledges, time in each step of its submitted cases, and who the persons
in its submitted cases are); staff and auditors see the whole operation, section by
section as their role may read the records behind it. See docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onward.accounts.policy import can, is_delegation
from onward.registry import codes
from onward.reports import suppression as S

STAGES = ("identified", "submitted", "accepted", "departed")
# Titles, column headers, row labels and notes are in the reader's language (issue 22):
# the tables are built per request, never cached across readers.
STAGE_LABELS = {
    "identified": gettext_lazy("Identified"),
    "submitted": gettext_lazy("Submitted"),
    "accepted": gettext_lazy("Accepted"),
    "departed": gettext_lazy("Departed"),
}
DUPLICATE_RESOLVED = ("merged", "different", "unmerged")


HIDDEN = "x"  # the one mark of a hidden cell, whatever its value


@dataclass
class Row:
    label: str
    values: list
    traces: list = field(default_factory=list)  # per value: record-list filters, or None
    suppressed: list = field(default_factory=list)  # per value: hidden (shown as HIDDEN)
    code: bool = False  # the label is a code (a block's): shown in <bdi>, not translated

    def __post_init__(self):
        self.label = str(self.label)  # a choice's label is lazy: text in the reader's language


@dataclass
class Table:
    """A figure: rows of values, and the relations a reader knows hold between its cells
    (and those of other tables), which small-number suppression must not let them undo.
    A cell is named `(key, row index, value index)`; a table's own total `(key, "total")`."""

    key: str
    title: str
    on: dt.date
    columns: list[str]  # the label column's header, then one per value
    rows: list[Row]
    section: str
    chart: str = "bar"  # bar | hbar | line | stacked | range | none
    kinds: list[str] = field(default_factory=list)  # per value column: count | derived | plain
    note: str = ""
    total: int | None = None  # the total the rows break down ("total n" beside the title)
    total_cell: tuple | None = None  # the cell that total is (here or in another table)
    total_suppressed: bool = False
    relations: list = field(default_factory=list)  # suppression.Relation over cells
    ranked: bool = False  # rows in order of their values (largest first)
    ranges: list = field(default_factory=list)  # incidents: per row {figure: (low, high)}
    wide: bool = False  # many columns: the dashboard gives it the grid's whole width

    def __post_init__(self):
        # Choice labels are lazy: the table holds text, in the language it is made in.
        self.title, self.note = str(self.title), str(self.note)
        self.columns = [str(c) for c in self.columns]
        n = len(self.columns) - 1
        if not self.kinds:
            self.kinds = ["count"] * n
        for row in self.rows:
            row.traces = row.traces or [None] * n
            row.suppressed = row.suppressed or [False] * n
        if self.total is not None and self.total_cell is None:
            self.total_cell = (self.key, "total")

    def cell(self, i: int, j: int) -> tuple:
        return (self.key, i, j)

    def column(self, j: int) -> list[tuple]:
        return [self.cell(i, j) for i in range(len(self.rows))]

    def total_text(self) -> str:
        if self.total is None:
            return ""
        return HIDDEN if self.total_suppressed else str(self.total)


# -- scope ------------------------------------------------------------------------------


def sections_for(user) -> list[str]:
    """The sections of the dashboard a user sees."""
    if not can(user, "reports.view"):
        return []
    if is_delegation(user):
        return ["submitted", "relocation", "waiting", "readiness"]
    out = []
    if can(user, "registry.view"):
        out += ["population", "departures"]
    if can(user, "relocation.view"):
        out += ["relocation", "waiting", "readiness"]
    if can(user, "dedup.view"):
        out.append("duplicates")
    if can(user, "incidents.view"):
        out.append("incidents")
    if can(user, "documents.view") or can(user, "consent.view"):
        out.append("documents")
    if can(user, "camp.view") and can(user, "presence.view"):
        out.append("camp")
    return out


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def months_back(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `day`'s month."""
    y, m = day.year, day.month - n
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


# -- the persons behind the population figures -------------------------------------------


def present_persons(on: dt.date) -> QuerySet:
    """Persons present on `on` by the registry (arrived by then, not yet departed, not a
    merged duplicate, not removed): the same set the ledger sums to (the ledger's
    invariant)."""
    from onward.registry.models import Person

    return Person.objects.filter(
        merged_into__isnull=True, removed_at__isnull=True, arrival_date__lte=on
    ).filter(Q(departure_date__isnull=True) | Q(departure_date__gt=on))


def filter_persons(
    persons: QuerySet,
    on: dt.date,
    *,
    sex: str = "",
    age_band: str = "",
    need: str = "",
    nationality: str = "",
) -> QuerySet:
    """Narrows persons to one cell of a breakdown, by the rollups' own rules: sex "X"
    includes unknown; age is the age reached in the year of `on`; need "none" is no need."""
    if sex:
        persons = persons.filter(sex__in=("X", "")) if sex == "X" else persons.filter(sex=sex)
    if age_band == "unknown":
        persons = persons.filter(Q(birth_date__isnull=True) | Q(birth_date__year__gt=on.year))
    elif age_band:
        low, high = (int(x) for x in age_band.split("-"))
        persons = persons.filter(
            birth_date__year__gte=on.year - high, birth_date__year__lte=on.year - low
        )
    if need == "none":
        persons = persons.filter(specific_needs__isnull=True)
    elif need:
        persons = persons.filter(specific_needs__code=need)
    if nationality:
        persons = persons.filter(nationality="" if nationality == "unknown" else nationality)
    return persons


def submitted_persons(user, on: dt.date) -> QuerySet:
    """For a delegation: persons present on `on` in cases submitted to its country by then."""
    from onward.relocation.models import Submission

    subs = Submission.objects.filter(pledge__country=user.country, submitted_at__lte=end_of(on))
    return present_persons(on).filter(case_id__in=subs.values("case_id"))


def nationality_counts(persons: QuerySet) -> dict[str, int]:
    """Persons by nationality ("unknown" when not recorded), counted on the registry: the
    reference the rollups' `by_nationality` is checked against (the population section
    reads the rollups: at 1,000,000 persons 25–40 ms for every breakdown, where this
    count alone takes ~500 ms; docs/benchmarks-reports.md)."""
    counts = {}
    for nat, n in persons.order_by().values_list("nationality").annotate(n=Count("id")):
        counts[nat or "unknown"] = counts.get(nat or "unknown", 0) + n
    return counts


# -- sections ----------------------------------------------------------------------------


def _breakdown_table(
    key,
    title,
    on,
    label_col,
    items,
    trace,
    section,
    total=None,
    chart="bar",
    total_cell=None,
    ranked=False,
):
    """One column of persons by a category; with `total`, the rows add up to it."""
    rows = [Row(label=label, values=[n], traces=[{**trace, **t}]) for label, n, t in items]
    t = Table(
        key=key,
        title=title,
        on=on,
        columns=[label_col, _("Persons")],
        rows=rows,
        section=section,
        chart=chart,
        total=total,
        total_cell=total_cell,
        ranked=ranked,
    )
    if total is not None:
        t.relations.append(S.sums_to(t.column(0), total_cell))
    return t


def _composition(on, *, total, by_sex, by_age, by_need, by_nat, prefix, figure, section, what):
    from onward.movements.rollup import age_band_labels

    base = {"figure": figure}
    ages = age_band_labels()
    whole = (f"{prefix}_total", 0, 0)  # every breakdown adds up to this one cell
    tables = [
        Table(
            key=f"{prefix}_total",
            title=f"{what}",
            on=on,
            columns=["", _("Persons")],
            rows=[Row(_("Total"), [total], [dict(base)])],
            section=section,
            chart="none",
        ),
        _breakdown_table(
            f"{prefix}_by_sex",
            _("%(what)s by sex") % {"what": what},
            on,
            _("Sex"),
            [(codes.SEX.get(k, k), by_sex.get(k, 0), {"sex": k}) for k in codes.SEX],
            base,
            section,
            total,
            total_cell=whole,
        ),
        _breakdown_table(
            f"{prefix}_by_age_band",
            _("%(what)s by age band") % {"what": what},
            on,
            _("Age band"),
            [(label, by_age.get(k, 0), {"age_band": k}) for k, label in ages.items()],
            base,
            section,
            total,
            total_cell=whole,
        ),
        _breakdown_table(
            f"{prefix}_by_nationality",
            _("%(what)s by nationality") % {"what": what},
            on,
            _("Nationality"),
            [
                (k, n, {"nationality": k})
                for k, n in sorted(by_nat.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            base,
            section,
            total,
            chart="hbar",
            total_cell=whole,
            ranked=True,
        ),
        _breakdown_table(
            f"{prefix}_by_need",
            _("%(what)s by specific need") % {"what": what},
            on,
            _("Specific need"),
            [
                (codes.SPECIFIC_NEEDS.get(k, _("No specific need")), by_need.get(k, 0), {"need": k})
                for k in [*codes.SPECIFIC_NEEDS, "none"]
            ],
            base,
            section,
            chart="hbar",
        ),
    ]
    needs = tables[-1]
    needs.note = _("A person with several needs counts under each.")
    # Each need is some of the persons, and every person counts at least once ("none").
    needs.relations += [S.at_most(c, whole) for c in needs.column(0)]
    needs.relations.append(S.covers(needs.column(0), whole))
    return tables


def population_section(user, on: dt.date) -> list[Table]:
    from onward.movements.ledger import population
    from onward.movements.rollup import rollup_monthly_series

    pop = population(on=on)
    tables = _composition(
        on,
        total=pop["total"],
        by_sex=pop["by_sex"],
        by_age=pop["by_age_band"],
        by_need=pop["by_need"],
        by_nat=pop["by_nationality"],
        prefix="population",
        figure="population",
        section="population",
        what=_("Population"),
    )
    tables[0].title = _("Population")
    series = rollup_monthly_series(months_back(on, 23), on)
    rows = [
        Row(
            f"{s['end']:%Y-%m-%d}",
            [s["population"]],
            [{"figure": "population", "as_of": f"{s['end']}"}],
        )
        for s in series
        if s["end"] < on
    ]
    rows.append(Row(f"{on:%Y-%m-%d}", [pop["total"]], [{"figure": "population", "as_of": f"{on}"}]))
    series = Table(
        key="population_series",
        title=_("Population over time (end of month)"),
        on=on,
        columns=[_("Date"), _("Persons")],
        rows=rows,
        section="population",
        chart="line",
    )
    series.relations.append(S.sums_to([series.cell(len(rows) - 1, 0)], tables[0].cell(0, 0)))
    tables.append(series)
    return tables


def departures_by_month(on: dt.date, months: int = 12) -> dict[tuple[dt.date, str], int]:
    """Departures that stand, per month and kind, for the `months` months up to `on`
    (the last one counted up to `on`). Read from the registry's departure fields (the index
    on departure date and kind), which the movements services keep equal to the ledger's departures
    not reversed by a correction (the ledger's invariant); `departures_by_month_ledger`
    is the same count from the ledger, and the tests check both agree. The registry read
    takes ~50 ms at 1,000,000 persons where the ledger's takes ~2 s."""
    from onward.registry.models import Person

    start = months_back(on, months - 1)
    rows = (
        Person.objects.filter(departure_date__gte=start, departure_date__lte=on)
        .annotate(m=TruncMonth("departure_date"))
        .order_by()
        .values_list("m", "departure_type")
        .annotate(n=Count("*"))  # COUNT(*): the index holds all it reads
    )
    return _by_month(rows)


def departures_by_month_ledger(on: dt.date, months: int = 12) -> dict[tuple[dt.date, str], int]:
    """The same from the ledger: departure entries no correction reverses."""
    from onward.movements.ledger import DEPARTURE_KINDS
    from onward.movements.models import LedgerEntry

    start = months_back(on, months - 1)
    rows = (
        LedgerEntry.objects.filter(
            kind__in=DEPARTURE_KINDS, reversed_by__isnull=True, date__gte=start, date__lte=on
        )
        .annotate(m=TruncMonth("date"))
        .order_by()
        .values_list("m", "kind")
        .annotate(n=Count("id"))
    )
    return _by_month(rows)


def _by_month(rows) -> dict[tuple[dt.date, str], int]:
    out: dict = defaultdict(int)
    for month, kind, n in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        out[(month, kind)] += n
    return dict(out)


def departures_section(user, on: dt.date) -> list[Table]:
    from onward.movements.ledger import DEPARTURE_KINDS
    from onward.movements.models import LedgerEntry

    labels = dict(LedgerEntry.Kind.choices)
    counts = departures_by_month(on)
    rows = []
    for i in range(11, -1, -1):
        month = months_back(on, i)
        key = f"{month:%Y-%m}"
        rows.append(
            Row(
                key,
                [counts.get((month, k), 0) for k in DEPARTURE_KINDS],
                [{"figure": "departures", "kind": k, "month": key} for k in DEPARTURE_KINDS],
            )
        )
    t = Table(
        key="departures_by_month",
        title=_("Departures by type per month"),
        on=on,
        columns=[_("Month"), *(labels[k] for k in DEPARTURE_KINDS)],
        rows=rows,
        section="departures",
        chart="stacked",
        total=sum(v for row in rows for v in row.values),
        note=_(
            "The month of %(on)s is counted up to that day. A corrected departure is not counted."
        )
        % {"on": on},
    )
    t.relations.append(
        S.sums_to(
            [t.cell(i, j) for i in range(len(rows)) for j in range(len(DEPARTURE_KINDS))],
            t.total_cell,
        )
    )
    reported = _departures_reported(on)
    return [t, _departures_year_to_date(on, labels)] + ([reported] if reported else [])


def _departures_year_to_date(on: dt.date, labels: dict) -> Table:
    """Departures that stand, by type, from 1 January of `on`'s year to `on` (a figure
    sources give as "since the beginning of the year")."""
    from onward.movements.ledger import DEPARTURE_KINDS
    from onward.registry.models import Person

    since = on.replace(month=1, day=1)
    counts = dict(
        Person.objects.filter(departure_date__gte=since, departure_date__lte=on)
        .order_by()
        .values_list("departure_type")
        .annotate(n=Count("*"))
    )
    rows = [
        Row(
            labels[k],
            [counts.get(k, 0)],
            [{"figure": "departures", "kind": k, "since": f"{since}"}],
        )
        for k in DEPARTURE_KINDS
    ]
    t = Table(
        key="departures_year_to_date",
        title=_("Departures by type since %(since)s") % {"since": since},
        on=on,
        columns=[_("Type"), _("Persons")],
        rows=rows,
        section="departures",
        chart="hbar",
        total=sum(counts.get(k, 0) for k in DEPARTURE_KINDS),
    )
    t.relations.append(S.sums_to([t.cell(i, 0) for i in range(len(rows))], t.total_cell))
    return t


def _departures_reported(on: dt.date) -> Table | None:
    """Departures reported at other places (the origin camp, before the move): sources'
    figures, never in the ledger. None when no such report was ever recorded."""
    from onward.movements.models import ReportedDeparture
    from onward.movements.selectors import reported_departures, reported_total

    if not ReportedDeparture.objects.exists():
        return None
    reports = list(reported_departures(on=on))
    rows = [
        Row(
            f"{r.place} · {r.source}, stated {r.stated_on} · "
            + (
                f"total to {r.left_on}"
                if r.cumulative
                else f"left {r.left_on:%Y-%m}"
                if r.left_on_precision == "M"
                else f"left {r.left_on}"
            ),
            [r.persons],
        )
        for r in reports
    ]
    if reports:
        rows.append(Row(_("In all, by the sources"), [reported_total(reports)]))
    return Table(
        key="departures_reported",
        title=_("Departures reported at other places (not in the ledger)"),
        on=on,
        columns=[_("Report"), _("Persons")],
        rows=rows,
        section="departures",
        chart="none",
        kinds=["plain"],
        note=_(
            "Sources' figures for residents who left a place Onward does not "
            "register person by person (the origin camp, before the move to the "
            "transit location). They never reached it: they are in none of its "
            "population figures. A total to date includes the periods reported "
            "before it."
        ),
    )


# -- relocation --------------------------------------------------------------------------


def pledge_use(pledge, on: dt.date) -> tuple[dict[str, dict], dict[str, set[int]]]:
    """`relocation.selectors.pledge_figures` as of the end of `on`: per dimension
    capacity, submitted, pending, accepted, departed, remaining; and the case pks behind
    each measure. A case counts once, by its latest submission to the pledge made by
    then; a decision counts from its `decided_at`, a departure from its `departed_on`.
    Capacities are the pledge's current ones."""
    return pledges_use([pledge], on)[pledge.pk]


def pledges_use(pledges, on: dt.date) -> dict[int, tuple[dict[str, dict], dict[str, set[int]]]]:
    """`pledge_use` of several pledges, in three queries whatever their number."""
    from onward.relocation.models import Submission
    from onward.relocation.selectors import pledges_dimensions
    from onward.relocation.usage import usage_numbers

    end = end_of(on)
    ids = [p.pk for p in pledges]
    dimensions = pledges_dimensions(ids)
    # Each dimension's number read as an integer in the database: decoding every usage
    # document was the largest part of this function.
    counted = sorted({d for _capacities, dims in dimensions.values() for d in dims})
    latest: dict[int, dict[int, tuple]] = defaultdict(dict)
    # Whether the decision was taken by the date, asked of the database (parsing each
    # decision's instant only to compare it was a fifth of this function).
    decided_by_end = ExpressionWrapper(Q(decided_at__lte=end), output_field=BooleanField())
    for pledge_pk, case_pk, decision, decided, departed_on, *numbers in (
        Submission.objects.filter(pledge_id__in=ids, submitted_at__lte=end)
        .values_list(
            "pledge_id",
            "case_id",
            "decision",
            decided_by_end,
            "departed_on",
            *usage_numbers("usage", counted),
        )
        .order_by("submitted_at", "id")
    ):
        if not decided:
            decision = ""
        latest[pledge_pk][case_pk] = (
            decision,
            {d: n for d, n in zip(counted, numbers, strict=True) if n is not None},
            bool(departed_on and departed_on <= on),
        )
    return {pk: _pledge_use_of(*dimensions[pk], latest[pk]) for pk in ids}


def _pledge_use_of(capacities: dict, dims: list[str], latest: dict[int, tuple]):
    cases: dict[str, set[int]] = {
        m: set() for m in ("submitted", "pending", "accepted", "departed")
    }
    for case_pk, (decision, _usage, departed) in latest.items():
        cases["submitted"].add(case_pk)
        if decision == "":
            cases["pending"].add(case_pk)
        elif decision == "accepted":
            cases["accepted"].add(case_pk)
            if departed:
                cases["departed"].add(case_pk)
    # One pass over the cases of each measure, adding up every dimension at once.
    totals = {m: dict.fromkeys(dims, 0) for m in cases}
    for measure, pks in cases.items():
        total = totals[measure]
        for pk in pks:
            for d, n in latest[pk][1].items():
                if d in total:
                    total[d] += n
    figures = {}
    for d in dims:
        f = {"capacity": capacities.get(d)}
        for measure in cases:
            f[measure] = totals[measure][d]
        f["remaining"] = f["capacity"] - f["accepted"] if f["capacity"] is not None else None
        figures[d] = f
    return figures, cases


def funnel_cases(*, country=None, pledge=None, as_of: dt.date, stage: str) -> set[int]:
    """The case pks behind one stage of `relocation.selectors.funnel` (which gives counts
    only), by the same reading of the transitions; the tests check both agree."""
    from onward.relocation.models import CaseTransition, Submission

    rows = CaseTransition.objects.filter(at__lte=end_of(as_of))
    own = Q()
    if pledge is not None or country is not None:
        subs = Submission.objects.all()
        if pledge is not None:
            subs = subs.filter(pledge=pledge)
            own &= Q(submission__pledge=pledge)
        if country is not None:
            subs = subs.filter(pledge__country=country)
            own &= Q(submission__pledge__country=country)
        rows = rows.filter(case_id__in=subs.values("case_id"))
    if stage == "identified" and pledge is None and country is None:
        return set(rows.filter(action="identify").values_list("case_id", flat=True))
    if stage in ("identified", "submitted"):
        return set(
            rows.filter(own, action__in=("submit", "resubmit")).values_list("case_id", flat=True)
        )
    if stage == "accepted":
        return set(rows.filter(own, action="accept").values_list("case_id", flat=True))
    departed: set[int] = set()
    for case_pk, action in (
        rows.filter(own, action__in=("depart", "undepart"))
        .order_by("at", "id")
        .values_list("case_id", "action")
    ):
        (departed.add if action == "depart" else departed.discard)(case_pk)
    return departed


def relocation_section(user, on: dt.date) -> list[Table]:
    from onward.accounts.policy import visible_pledges
    from onward.relocation.models import State
    from onward.relocation.selectors import average_days_in_states, funnels

    delegation = is_delegation(user)
    pledges = list(
        visible_pledges(user).filter(created_at__lte=end_of(on)).order_by("country", "name")
    )
    countries = sorted({p.country for p in pledges})
    targets: list[tuple[str, dict, dict]] = []  # label, funnel kwargs, trace filters
    parent: dict[int, int] = {}  # row -> the row it is part of (pledge -> country -> all)
    if not delegation:
        targets.append((_("All countries"), {}, {}))
    for c in countries:
        if not delegation:
            parent[len(targets)] = 0
        country_row = len(targets)
        targets.append(
            (_("%(country)s (all pledges)") % {"country": c}, {"country": c}, {"country": c})
        )
        for p in pledges:
            if p.country == c:
                parent[len(targets)] = country_row
                targets.append((f"{c} · {p.name}", {"pledge": p}, {"pledge": p.pk}))
    cases_rows, persons_rows = [], []
    # One read of the transitions for every target (funnels), not one per target.
    for (label, _kwargs, trace), f in zip(
        targets, funnels([t[1] for t in targets], as_of=on), strict=True
    ):
        traces = [{"figure": "funnel", "stage": s, **trace} for s in STAGES]
        cases_rows.append(Row(label, [f[s]["cases"] for s in STAGES], traces))
        persons_rows.append(Row(label, [f[s]["persons"] for s in STAGES], traces))
    cols = [_("Country / pledge"), *(str(STAGE_LABELS[s]) for s in STAGES)]
    tables = [
        Table(
            key="funnel_cases",
            title=_("Relocation funnel (cases reaching each step)"),
            on=on,
            columns=cols,
            rows=cases_rows,
            section="relocation",
            chart="bar",
            note=_(
                "A case counts at each step it reached by the date, even if later rejected "
                "or withdrawn; departed is net of reversed departures."
            ),
        ),
        Table(
            key="funnel_persons",
            title=_("Relocation funnel (persons in those cases)"),
            on=on,
            columns=cols,
            rows=persons_rows,
            section="relocation",
            chart="bar",
        ),
    ]
    _funnel_relations(tables[0], tables[1], parent, all_row=not delegation)
    states = [s for s in State.values if s not in ("not_identified",)]
    state_labels = dict(State.choices)
    by_country = [(label, kwargs) for label, kwargs, _trace in targets if "pledge" not in kwargs]
    time_rows = [
        Row(label, [days.get(s) for s in states])
        for (label, _kwargs), days in zip(
            by_country, average_days_in_states([k for _l, k in by_country], as_of=on), strict=True
        )
    ]
    tables.append(
        Table(
            key="time_in_step",
            title=_("Average days spent in each step"),
            on=on,
            columns=[_("Country"), *(state_labels[s] for s in states)],
            rows=time_rows,
            section="relocation",
            chart="none",
            kinds=["plain"] * len(states),
            note=_("Mean over the cases that went through the step, up to the date."),
        )
    )
    dim_labels = _dimension_labels()
    use_rows, twins = [], []  # twins: (pledge_use row, funnel row) of persons submitted
    use = pledges_use(pledges, on)
    for p in pledges:
        figures, _cases = use[p.pk]
        for d, f in figures.items():
            if f["capacity"] is None and not f["submitted"]:
                continue
            if d == "persons":
                twins.append(
                    (
                        len(use_rows),
                        next(i for i, (_l, kw, _t) in enumerate(targets) if kw.get("pledge") == p),
                    )
                )
            trace = {"figure": "pledge_use", "pledge": p.pk}
            use_rows.append(
                Row(
                    f"{p.country} · {p.name} · {dim_labels.get(d, d)}",
                    [
                        f["capacity"],
                        f["submitted"],
                        f["pending"],
                        f["accepted"],
                        f["departed"],
                        f["remaining"],
                    ],
                    [
                        None,
                        *(
                            {**trace, "measure": m}
                            for m in ("submitted", "pending", "accepted", "departed")
                        ),
                        None,
                    ],
                )
            )
    tables.append(
        Table(
            key="pledge_use",
            title=_("Pledge use against capacity"),
            on=on,
            columns=[
                _("Pledge · dimension"),
                _("Capacity"),
                _("Submitted"),
                _("Pending"),
                _("Accepted"),
                _("Departed"),
                _("Remaining"),
            ],
            rows=use_rows,
            section="relocation",
            chart="hbar",
            kinds=["plain", "count", "count", "count", "count", "derived"],
            note=_(
                "Capacities are the pledge's current ones; accepted includes "
                "departed; remaining is capacity minus accepted."
            ),
        )
    )
    _pledge_use_relations(tables[-1], tables[1], twins)
    return tables


def _funnel_relations(cases: Table, persons: Table, parent: dict[int, int], all_row: bool) -> None:
    """What a reader knows of the funnel: a case reaches accepted only once submitted and
    departs only once accepted; a pledge's cases are some of its country's, a country's
    some of all countries' (a case submitted to several is counted once above), and
    every case counted above is counted in one row below. For a country or a pledge,
    "identified" is the cases submitted there; all countries' identified cases include
    those submitted nowhere. Persons follow cases only upwards (a case's persons are
    those of its latest submission, which may differ between pledges)."""
    children: dict[int, list[int]] = defaultdict(list)
    for row, up in parent.items():
        children[up].append(row)
    for i in range(len(cases.rows)):
        cases.relations += [
            S.at_most(cases.cell(i, 2), cases.cell(i, 1)),
            S.at_most(cases.cell(i, 3), cases.cell(i, 2)),
        ]
        if i > 0 or not all_row:
            cases.relations.append(S.sums_to([cases.cell(i, 1)], cases.cell(i, 0)))
    for up, rows in children.items():
        for j in range(len(STAGES)):
            if all_row and up == 0 and j == 0:
                continue
            cases.relations += [S.at_most(cases.cell(r, j), cases.cell(up, j)) for r in rows]
            for t in (cases, persons):
                t.relations.append(S.covers([t.cell(r, j) for r in rows], t.cell(up, j)))


def _pledge_use_relations(use: Table, funnel_persons: Table, twins) -> None:
    """Pending and accepted are disjoint parts of submitted, departed a part of accepted,
    remaining is capacity minus accepted; and the persons submitted to a pledge are the
    funnel's persons submitted to it (by a different route, so used only where equal)."""
    for i, row in enumerate(use.rows):
        use.relations += [
            S.parts_at_most([use.cell(i, 2), use.cell(i, 3)], use.cell(i, 1)),
            S.at_most(use.cell(i, 4), use.cell(i, 3)),
        ]
        if row.values[0] is not None:
            use.relations.append(S.equals_constant([use.cell(i, 5), use.cell(i, 3)], row.values[0]))
    for i, f in twins:
        use.relations.append(S.sums_to([use.cell(i, 1)], funnel_persons.cell(f, 1), certain=False))


def _dimension_labels() -> dict[str, str]:
    from onward.relocation.models import CapacityDimension

    return CapacityDimension.shown_labels()


def submitted_section(user, on: dt.date) -> list[Table]:
    """A delegation's view of who is in the cases submitted to its country."""
    from onward.movements.rollup import age_band

    persons = submitted_persons(user, on)
    by_sex, by_age, by_nat, by_need = Counter(), Counter(), Counter(), Counter()
    total = 0
    rows = persons.order_by().values_list("pk", "sex", "birth_date", "nationality")
    needs: dict[int, list[str]] = defaultdict(list)
    from onward.registry.models import Person

    for pk, code in Person.specific_needs.through.objects.filter(
        person_id__in=persons.values("pk")
    ).values_list("person_id", "specificneed_id"):
        needs[pk].append(code)
    for pk, sex, birth, nat in rows:
        total += 1
        by_sex[sex or "X"] += 1
        by_age[age_band(on.year - birth.year) if birth else "unknown"] += 1
        by_nat[nat or "unknown"] += 1
        for code in needs.get(pk) or ["none"]:
            by_need[code] += 1
    return _composition(
        on,
        total=total,
        by_sex=by_sex,
        by_age=by_age,
        by_need=by_need,
        by_nat=dict(by_nat),
        prefix="submitted",
        figure="submitted",
        section="submitted",
        what=_("Persons in cases submitted to you"),
    )


# -- documents and consent ---------------------------------------------------------------


def documents_section(user, on: dt.date) -> list[Table]:
    """Documents per submitted case and the cases missing a required document, by
    country; consents expiring within 30 days (onward.reports.document_figures)."""
    from onward.consent.models import Recipient
    from onward.reports import document_figures as D

    tables = []
    if can(user, "documents.view"):
        rows = [
            Row(country, [cases, docs, round(docs / cases, 1) if cases else 0, missing])
            for country, cases, docs, missing in D.documents_by_country(on, end_of(on))
        ]
        tables.append(
            Table(
                key="documents_by_country",
                title=_("Documents of submitted cases, by country"),
                on=on,
                columns=[
                    _("Country"),
                    _("Cases"),
                    _("Documents"),
                    _("Per case"),
                    _("Missing a required one"),
                ],
                rows=rows,
                section="documents",
                chart="none",
                kinds=["count", "count", "plain", "count"],
                note=_(
                    "Cases with a submission open on the date; a required document "
                    "type (configured) counts only while valid."
                ),
            )
        )
    if can(user, "consent.view"):
        labels = dict(Recipient.choices)
        rows = [
            Row(f"{labels.get(r, r)}: {who}" if who else str(labels.get(r, r)), [n])
            for r, who, n in D.consents_expiring(on)
        ]
        tables.append(
            Table(
                key="documents_consents_expiring",
                title=_("Consents expiring within %(days)s days") % {"days": D.EXPIRING_DAYS},
                on=on,
                columns=[_("Recipient"), _("Consents")],
                rows=rows,
                section="documents",
                chart="none",
                total=sum(r.values[0] for r in rows),
                note=_("Valid on the date, expiring within %(days)s days of it.")
                % {"days": D.EXPIRING_DAYS},
            )
        )
    return tables


# -- duplicates and incidents ------------------------------------------------------------


def duplicate_pairs(on: dt.date, state: str) -> QuerySet:
    """Pairs found by the end of `on`; open: not resolved by then (open, pending a second
    reviewer, skipped); resolved: decided merged, different or merge undone by then."""
    from onward.dedup.models import DuplicatePair

    end = end_of(on)
    pairs = DuplicatePair.objects.filter(found_at__lte=end)
    resolved = Q(status__in=DUPLICATE_RESOLVED, decided_at__lte=end)
    if state == "resolved":
        return pairs.filter(resolved)
    if state == "open":
        return pairs.exclude(resolved)
    return pairs


def duplicates_section(user, on: dt.date) -> list[Table]:
    rows = [
        Row(label, [duplicate_pairs(on, s).count()], [{"figure": "duplicates", "state": s}])
        for s, label in (("found", _("Found")), ("open", _("Open")), ("resolved", _("Resolved")))
    ]
    t = Table(
        key="duplicates",
        title=_("Duplicate registrations"),
        on=on,
        columns=["", _("Pairs")],
        rows=rows,
        section="duplicates",
        chart="bar",
        note=_("Open includes pairs skipped or awaiting a second reviewer."),
    )
    t.relations.append(S.sums_to([t.cell(1, 0), t.cell(2, 0)], t.cell(0, 0)))
    return [t]


def incident_rows(user, on: dt.date, rule: str) -> list[dict]:
    """Incidents that occurred by `on`, each with its figures under `rule` from the
    claims stated by then, and those claims side by side."""
    from onward.incidents.selectors import incident_figures, visible_incidents

    out = []
    incidents = (
        visible_incidents(user)
        .filter(occurred_at__lte=end_of(on))
        .prefetch_related("claims", "victims")
        .order_by("occurred_at", "id")
    )
    for incident in incidents:
        claims = [c for c in incident.claims.all() if c.stated_on <= on]
        out.append(
            {
                "incident": incident,
                "claims": claims,
                "figures": incident_figures(incident, rule, claims),
            }
        )
    return out


def _rule_total(items: list[dict], name: str) -> str:
    """The rule's total of one figure, and the incidents it leaves out because no figure
    stands under the rule though some source gave one (so the total is read rightly)."""
    total = sum(item["figures"][name].value or 0 for item in items)
    left_out = [
        _("%(day)s (%(range)s claimed)")
        % {"day": item["incident"].when, "range": item["figures"][name].range_text}
        for item in items
        if item["figures"][name].value is None and item["figures"][name].high is not None
    ]
    what = {"killed": _("Killed"), "injured": _("Injured")}.get(name, name.capitalize())
    text = _("%(what)s under this rule, all incidents: %(total)s") % {
        "what": what,
        "total": total,
    }
    if left_out:
        text += _("; not counted, no figure under this rule: %(days)s") % {
            "days": ", ".join(left_out)
        }
    return text


def incidents_section(user, on: dt.date, rule: str = "latest_official") -> list[Table]:
    from onward.incidents.selectors import RECORDED_NOTE, RULES

    rows, ranges = [], []
    items = incident_rows(user, on, rule)
    for item in items:
        i, f = item["incident"], item["figures"]
        ranges.append({n: (f[n].low, f[n].high) for n in ("killed", "injured")})
        trace = {"figure": "incidents", "incident": i.pk}
        rows.append(
            Row(
                f"{timezone.localtime(i.occurred_at):%Y-%m-%d} · "
                f"{i.get_type_display()}{' · ' + i.place if i.place else ''}",
                [
                    f["killed"].value,
                    f["killed"].range_text,
                    f["injured"].value,
                    f["injured"].range_text,
                    len(item["claims"]),
                ],
                [trace, None, trace, None, trace],
            )
        )
    return [
        Table(
            key="incidents",
            title=_("Incidents"),
            on=on,
            columns=[
                _("Incident"),
                _("Killed"),
                _("Killed (range across claims)"),
                _("Injured"),
                _("Injured (range across claims)"),
                _("Claims"),
            ],
            rows=rows,
            section="incidents",
            chart="range",
            kinds=["plain"] * 5,
            ranges=ranges,
            note=_(
                "Figures by the rule “%(rule)s”, from the claims stated by the "
                "date; the range runs across every claim that gives a number."
            )
            % {"rule": RULES[rule]}
            + f" {RECORDED_NOTE} {_rule_total(items, 'killed')}. "
            f"{_rule_total(items, 'injured')}.",
        )
    ]


# -- the camp ------------------------------------------------------------------------------


def camp_section(user, on: dt.date) -> list[Table]:
    """Occupancy, vacancies, presence rate and residents not seen, by block; and the
    open tasks by age (onward.presence.numbers: a few aggregate queries in all)."""
    from onward.presence.numbers import camp_numbers, open_tasks_by_age_on
    from onward.presence.rules import not_seen_days

    days = not_seen_days()
    numbers = camp_numbers(on, days=days)
    rows = [_camp_row(n["block"].code, n, code=True, block=n["block"].pk) for n in numbers]
    if numbers:
        rows.append(_camp_row(_("All blocks"), _camp_total(numbers)))
    blocks = Table(
        key="camp_blocks",
        title=_("Occupancy and presence by block"),
        on=on,
        columns=[
            _("Block"),
            _("Occupied"),
            _("Places"),
            _("Vacancies"),
            _("Seen"),
            _("Presence (%)"),
            _("Not seen %(days)s days") % {"days": days},
        ],
        rows=rows,
        section="camp",
        chart="none",
        wide=True,
        kinds=["count", "plain", "plain", "count", "plain", "count"],
        note=_(
            "Places: usable places of available units (capacity less blocked places; "
            "today's unit status). Seen: residents seen that day; presence: seen out of "
            "those housed and on the registry's books; not seen: no presence in the "
            "%(days)s days up to the date."
        )
        % {"days": days},
    )
    age = open_tasks_by_age_on(on)
    tasks = Table(
        key="camp_tasks",
        title=_("Open tasks by age"),
        on=on,
        columns=[_("Days open"), _("Tasks")],
        rows=[Row(str(label), [age[band]]) for band, label in TASK_AGE_LABELS.items()],
        section="camp",
        chart="bar",
        total=sum(age.values()),
    )
    tasks.relations.append(S.sums_to(tasks.column(0), tasks.total_cell))
    return [blocks, tasks]


TASK_AGE_LABELS = {
    "0-6": gettext_lazy("Under 7 days"),
    "7-29": gettext_lazy("7 to 29 days"),
    "30+": gettext_lazy("30 days and more"),
}


# The records behind each camp column (onward.reports.records, "camp_*"): the places
# column names units' capacity, not persons, and links nowhere.
CAMP_TRACES = ("camp_housed", None, "camp_vacancies", "camp_seen", "camp_absent", "camp_not_seen")


def _camp_row(label: str, n: dict, *, code: bool = False, block: int | None = None) -> Row:
    where = {"block": block} if block is not None else {}
    return Row(
        label,
        [n["occupied"], n["capacity"], n["vacancies"], n["seen"], n["rate"], n["not_seen"]],
        traces=[{"figure": t, **where} if t else None for t in CAMP_TRACES],
        code=code,
    )


def _camp_total(numbers: list[dict]) -> dict:
    total = {k: sum(n[k] for n in numbers) for k in ("occupied", "capacity", "vacancies")}
    total |= {k: sum(n[k] for n in numbers) for k in ("housed", "seen", "not_seen")}
    total["rate"] = round(100 * total["seen"] / total["housed"]) if total["housed"] else None
    return total


# -- the waits and readiness (issues 18 and 19) ------------------------------------------


def _age_columns() -> list[str]:
    return [_("Under 30 days"), _("30 to 90 days"), _("Over 90 days"), _("Total")]


def _step_labels() -> dict[str, str]:
    return {
        "pending_interview": _("Pending interview"),
        "pending_review": _("Pending review"),
        "returned": _("Returned with comments"),
        "deferred": _("Deferred"),
        "info_requested": _("Awaiting information"),
    }


def _band_row(label: str, counts: dict[str, int]) -> Row:
    from onward.reports.workflow_figures import AGE_BANDS

    values = [counts[b] for b in AGE_BANDS]
    return Row(label, [*values, sum(values)])


def waiting_section(user, on: dt.date) -> list[Table]:
    """Cases waiting on the date, by step and age of the wait; the steps after a
    submission by receiving country too (onward.reports.workflow_figures.waiting). A
    delegation: only its own country's cases, so only those steps."""
    from onward.reports import workflow_figures as W

    delegation = is_delegation(user)
    waits = W.waiting(on, country=user.country if delegation else None)
    labels = _step_labels()
    tables = []
    if not delegation:
        steps = Table(
            key="waiting_steps",
            title=_("Cases waiting, by step and age of the wait"),
            on=on,
            columns=[_("Step"), *_age_columns()],
            rows=[_band_row(labels[s], waits.counts(on, s)) for s in W.STEPS],
            section="waiting",
            chart="none",
            wide=True,
            note=_(
                "On the date: pending interview, identified and the resettlement interview "
                "not complete; pending review, assessed with no approved recommendation; "
                "returned, the latest recommendation returns the case; deferred and "
                "awaiting information, the country's answer so far. The age counts from "
                "the day the wait began."
            ),
        )
        for i in range(len(steps.rows)):
            steps.relations.append(
                S.sums_to([steps.cell(i, j) for j in range(3)], steps.cell(i, 3))
            )
        tables.append(steps)
    countries = waits.countries() if not delegation else [user.country]
    rows, where = [], []
    for c in countries:
        for s in W.COUNTRY_STEPS:
            rows.append(_band_row(f"{c} · {labels[s]}", waits.counts(on, s, c)))
            where.append(s)
    by_country = Table(
        key="waiting_countries",
        title=_("Cases waiting on a country's answer, by country and age of the wait"),
        on=on,
        columns=[_("Country · step"), *_age_columns()],
        rows=rows,
        section="waiting",
        chart="none",
        wide=True,
    )
    for i in range(len(rows)):
        by_country.relations.append(
            S.sums_to([by_country.cell(i, j) for j in range(3)], by_country.cell(i, 3))
        )
    if not delegation:
        for s in W.COUNTRY_STEPS:
            mine = [i for i, w in enumerate(where) if w == s]
            k = W.STEPS.index(s)
            for j in range(4):
                by_country.relations.append(
                    S.sums_to([by_country.cell(i, j) for i in mine], tables[0].cell(k, j))
                )
    tables.append(by_country)
    return tables


def readiness_section(user, on: dt.date) -> list[Table]:
    """The accepted cases by country and readiness on the date, the blockers by
    requirement and country, and the reminders (onward.reports.workflow_figures)."""
    from onward.movements.readiness_numbers import readiness_numbers
    from onward.readiness.models import Kind

    delegation = is_delegation(user)
    r = readiness_numbers(on, country=user.country if delegation else None)
    countries = [user.country] if delegation else r.countries()

    def counts(cases: set[int]) -> list[int]:
        accepted = len(cases)
        ready = cases & r.ready
        on_transfer = len(ready & r.scheduled)
        return [accepted, accepted - len(ready), len(ready) - on_transfer, on_transfer]

    targets: list[tuple[str, set[int]]] = []
    if not delegation:
        targets.append((_("All countries"), set(r.country)))
    for c in countries:
        targets.append((c, {k for k, v in r.country.items() if v == c}))
    cases = Table(
        key="readiness_cases",
        title=_("Accepted cases and their readiness"),
        on=on,
        columns=[
            _("Country"),
            _("Accepted"),
            _("Not ready"),
            _("Ready, no transfer"),
            _("Ready, on a transfer"),
        ],
        rows=[Row(label, counts(of)) for label, of in targets],
        section="readiness",
        chart="none",
        wide=True,
        note=_(
            "Accepted: accepted and not departed. Ready: every member present is ready on "
            "the date under the pledge's requirements (computed from the facts dated by "
            "then, whatever the case's stored state); on a transfer: on the manifest of "
            "a transfer planned on the date."
        ),
    )
    for i in range(len(cases.rows)):
        cases.relations.append(S.sums_to([cases.cell(i, j) for j in (1, 2, 3)], cases.cell(i, 0)))
    if not delegation and len(cases.rows) > 1:
        for j in range(4):
            cases.relations.append(
                S.sums_to([cases.cell(i, j) for i in range(1, len(cases.rows))], cases.cell(0, j))
            )
    kinds = dict(Kind.choices)
    blockers = Table(
        key="readiness_blockers",
        title=_("Blockers by requirement and country"),
        on=on,
        columns=[_("Country · requirement"), _("Persons blocked"), _("Cases blocked")],
        rows=[
            Row(
                f"{c} · {kinds.get(k, k)}",
                [len(r.blocked_persons[(c, k)]), len(r.blocked_cases[(c, k)])],
            )
            for c, k in sorted(r.blocked_persons)
        ],
        section="readiness",
        chart="none",
        note=_(
            "Members present of accepted cases who are not ready on the date, by what "
            "blocks them (missing, pending, failed or expired); a person blocked by two "
            "requirements counts under each."
        ),
    )
    country_row = {label: i for i, (label, _of) in enumerate(targets)}
    for i, row in enumerate(blockers.rows):
        c = row.label.split(" · ")[0]
        if c in country_row:
            blockers.relations.append(S.at_most(blockers.cell(i, 1), cases.cell(country_row[c], 1)))
    reminders = Table(
        key="readiness_reminders",
        title=_("Reminders: readiness before the flight"),
        on=on,
        columns=[
            _("Country"),
            _("Travellers expiring before their flight"),
            _("Cases accepted over %(days)s days ago, not ready") % {"days": r.late_days},
        ],
        rows=[Row(c, [len(r.expiring_before_flight[c]), len(r.late[c])]) for c in countries],
        section="readiness",
        chart="none",
        wide=True,
        note=_(
            "Travellers on a planned transfer who are ready on the date but not on the "
            "flight's date; cases accepted more than %(days)s days before the date and "
            "not ready on it (ONWARD_READINESS_NOT_READY_DAYS). Each pledge's readiness "
            "page names them."
        )
        % {"days": r.late_days},
    )
    for i, c in enumerate(countries):
        # A case accepted long ago and not ready is one of the country's not ready.
        reminders.relations.append(S.at_most(reminders.cell(i, 1), cases.cell(country_row[c], 1)))
    return [cases, blockers, reminders]


SECTIONS = {
    "population": population_section,
    "departures": departures_section,
    "submitted": submitted_section,
    "relocation": relocation_section,
    "waiting": waiting_section,
    "readiness": readiness_section,
    "duplicates": duplicates_section,
    "incidents": incidents_section,
    "documents": documents_section,
    "camp": camp_section,
}
SECTION_TITLES = {
    "population": gettext_lazy("Population"),
    "departures": gettext_lazy("Departures"),
    "submitted": gettext_lazy("Your submitted cases"),
    "relocation": gettext_lazy("Relocation"),
    "waiting": gettext_lazy("Waiting: interviews, reviews and countries' answers"),
    "readiness": gettext_lazy("Departure readiness"),
    "duplicates": gettext_lazy("Duplicates"),
    "incidents": gettext_lazy("Incidents"),
    "documents": gettext_lazy("Documents and consent"),
    "camp": gettext_lazy("The camp"),
}


def dashboard(
    user, on: dt.date, *, only: str | None = None, rule: str = "latest_official"
) -> list[Table]:
    """Every table the user may see for `on` (or only those of one section)."""
    tables = []
    for section in sections_for(user):
        if only and section != only:
            continue
        if section == "incidents":
            tables += incidents_section(user, on, rule)
        else:
            tables += SECTIONS[section](user, on)
    return tables


def table_section(key: str) -> str | None:
    for prefix, section in (
        ("population", "population"),
        ("departures", "departures"),
        ("submitted", "submitted"),
        ("funnel", "relocation"),
        ("time_in_step", "relocation"),
        ("pledge_use", "relocation"),
        ("waiting", "waiting"),
        ("readiness", "readiness"),
        ("duplicates", "duplicates"),
        ("incidents", "incidents"),
        ("documents", "documents"),
        ("camp", "camp"),
    ):
        if key.startswith(prefix):
            return section
    return None


# -- small numbers -----------------------------------------------------------------------


def threshold() -> int:
    from django.conf import settings

    return settings.ONWARD_SMALL_CELL


def report_tables(
    user,
    on: dt.date,
    *,
    shared: bool = False,
    rule: str = "latest_official",
    only: str | None = None,
) -> list[Table]:
    """Every table the user may see for `on` (or those of one section), as it may be shown
    to them: the one door of the dashboard, the CSVs, the PDF and the XLSX. A delegation
    is outside the operation, and `shared` is a report for outside it: both are
    suppressed, over all the tables at once whatever `only` asks, so that every channel
    hides the same cells."""
    hide = shared or is_delegation(user)
    tables = dashboard(user, on, rule=rule, only=None if hide else only)
    if hide:
        # The camp's figures (residents of a block by name of the block) are the
        # operation's own: not in a report for outside it.
        tables = [t for t in tables if t.section != "camp"]
        suppress(tables, threshold())
    return [t for t in tables if t.section == only] if only else tables


def suppress(tables: list[Table], threshold: int) -> list[Table]:
    """Hides every count from 1 to threshold−1, and with them as few other cells as
    keep each hidden one from being worked out from what is shown: the tables' totals,
    sums and the other relations between their cells (`suppression.protect`, over all
    the tables together since a total is shared by its breakdowns). Figures that are not
    counts of residents (capacities, averages, incident claims) are shown."""
    if threshold <= 1:
        return tables
    _unrank(tables)
    cells = report_cells(tables)
    hidden = S.protect(
        cells.values, cells.relations, threshold, free=cells.free, totals=cells.totals
    ).hidden
    for t in tables:
        for i, row in enumerate(t.rows):
            row.suppressed = [t.cell(i, j) in hidden for j in range(len(row.values))]
        t.total_suppressed = t.total is not None and t.total_cell in hidden
    return tables


def _unrank(tables: list[Table]) -> None:
    """A hidden row's place among rows ranked by their values would tell how large it is
    (and rows of equal value, in order of their labels, would give each other away): in a
    suppressed report such rows go in the order of their labels, the relations following
    the cells they name."""
    moved: dict[tuple, tuple] = {}
    for t in tables:
        if not t.ranked:
            continue
        order = sorted(range(len(t.rows)), key=lambda i: t.rows[i].label)
        t.rows = [t.rows[i] for i in order]
        t.ranked = False
        moved |= {
            (t.key, old, j): (t.key, new, j)
            for new, old in enumerate(order)
            for j in range(len(t.columns) - 1)
        }
    if moved:
        for t in tables:
            t.relations = [
                S.Relation(tuple((moved.get(c, c), k) for c, k in r.terms), r.lo, r.hi, r.certain)
                for r in t.relations
            ]


@dataclass
class Cells:
    values: dict  # every cell that may be hidden -> its true value
    relations: list
    free: set  # derived cells (no lower bound)
    totals: set


def report_cells(tables: list[Table]) -> Cells:
    """The tables as cells and relations for `suppression.protect`: counts and derived
    figures (not plain ones, such as capacities, which relations hold as constants), and
    each total."""
    cells = Cells(
        values={}, relations=[r for t in tables for r in t.relations], free=set(), totals=set()
    )
    for t in tables:
        for i, row in enumerate(t.rows):
            for j, kind in enumerate(t.kinds):
                if kind in ("count", "derived") and isinstance(row.values[j], int):
                    cells.values[t.cell(i, j)] = row.values[j]
                    if kind == "derived":
                        cells.free.add(t.cell(i, j))
        if t.total is not None:
            cells.totals.add(t.total_cell)
            cells.values.setdefault(t.total_cell, t.total)
        if t.key.endswith("_total"):
            cells.totals.add(t.cell(0, 0))
    for r in cells.relations:
        missing = [c for c, _ in r.terms if c not in cells.values]
        if missing:
            raise ValueError(f"suppression: a relation names cells not in the report: {missing}")
    return cells


def suppression_rule(threshold: int, *, mark: bool = True) -> str:
    """The rule as every shared page and file states it; `mark`: led by the mark itself
    (a page sets the mark apart and leads with it)."""
    return (f"{HIDDEN} = " if mark else "") + _(
        "hidden to protect the persons behind small numbers. Every count from 1 to "
        "%(max)s is hidden, and so are as many other cells (possibly larger "
        "counts, a zero or a total) as are needed so that no hidden count can be worked "
        "out from the totals and the other cells shown. A hidden cell says nothing about "
        "its size; every number shown is the true one."
    ) % {"max": threshold - 1}


def cell_text(row: Row, j: int) -> str:
    if row.suppressed[j]:
        return HIDDEN
    v = row.values[j]
    return "—" if v is None else str(v)
