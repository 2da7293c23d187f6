"""Reads of matching: runs, their proposal and its explanations, policies, links.

Matching sees every assessed case and every pledge, so only the roles that may run a
match (`matching.run`) read any of it; opening a run or a pair's explanation is an
audited read.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from onward.accounts.policy import NotFound, can, get_for_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_read, audit_record
from onward.matching import scoring
from onward.matching.inputs import pins_next
from onward.matching.models import CaseCountryLink, MatchPin, MatchRun, ScoringPolicy
from onward.relocation.models import CapacityDimension

PERMISSION = "matching.run"


def visible_runs(user) -> QuerySet:
    return MatchRun.objects.all() if can(user, PERMISSION) else MatchRun.objects.none()


def visible_policies(user) -> QuerySet:
    return ScoringPolicy.objects.all() if can(user, PERMISSION) else ScoringPolicy.objects.none()


def visible_links(user) -> QuerySet:
    return (
        CaseCountryLink.objects.all() if can(user, PERMISSION) else CaseCountryLink.objects.none()
    )


def get_run_for_user(user, run_id) -> MatchRun:
    return get_for_user(
        user,
        visible_runs(user).select_related("policy", "job", "parent", "created_by"),
        "match_run",
        run_id,
    )


def get_policy_for_user(user, policy_id) -> ScoringPolicy:
    return get_for_user(user, visible_policies(user), "scoring_policy", policy_id)


def get_link_for_user(user, link_id) -> CaseCountryLink:
    return get_for_user(
        user, visible_links(user).select_related("case"), "case_country_link", link_id
    )


def run_list(*, user) -> QuerySet:
    return (
        visible_runs(user)
        .select_related("policy", "created_by", "parent")
        .defer("inputs", "result")
    )


def policy_list(*, user) -> QuerySet:
    return visible_policies(user).filter(current=True).select_related("created_by").order_by("name")


def policy_versions(policy: ScoringPolicy) -> list[ScoringPolicy]:
    return list(
        ScoringPolicy.objects.filter(name=policy.name)
        .select_related("created_by")
        .order_by("-version")
    )


def link_list(*, user) -> QuerySet:
    return (
        visible_links(user)
        .filter(ended_at__isnull=True)
        .select_related("case", "created_by")
        .order_by("case__case_id", "kind", "country")
    )


# --- A run's proposal ------------------------------------------------------------------------


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.6g}"


class RunView:
    """A solved run, read back from its stored inputs and result, for pages and the API."""

    def __init__(self, run: MatchRun):
        self.run = run
        self.inputs = run.inputs_data() if run.inputs else {}
        self.result = run.result_data() if run.result else {}
        self.dims = self.inputs.get("dimensions", [])
        self.cases = self.inputs.get("cases", [])
        self.pledges = self.inputs.get("pledges", [])
        self.assignment = self.result.get("assignment", [])
        self.expl = self.result.get("explanation") or {}
        self.allowed: dict[int, dict[int, float]] = {}
        for k, (c, p) in enumerate(
            zip(self.inputs.get("pair_case", []), self.inputs.get("pair_pledge", []), strict=True)
        ):
            self.allowed.setdefault(c, {})[p] = self.inputs["score"][k]
        self.pins = {
            (c, p): k
            for c, p, k in run.pins.filter(draft=False).values_list("case_id", "pledge_id", "kind")
        }
        self.next_pins = pins_next(run) if run.status == MatchRun.Status.DONE else {}
        self.case_ix = {c["pk"]: i for i, c in enumerate(self.cases)}
        self.pledge_ix = {p["pk"]: i for i, p in enumerate(self.pledges)}

    def used(self) -> list[list[int]]:
        used = [[0] * len(self.dims) for _ in self.pledges]
        for c, p in enumerate(self.assignment):
            if p >= 0:
                for d, n in enumerate(self.cases[c]["use"]):
                    used[p][d] += n
        return used

    def case_line(self, c: int) -> str:
        """Why the case went where it went, in words (the engine's explanation)."""
        e, p = self.expl, self.assignment[c] if self.assignment else -1
        if not e:
            return ""
        parts = []
        if p >= 0:
            parts.append(f"Score {_fmt(e['score'][c])} here.")
        alt = e["alt_pledge"][c]
        if alt >= 0:
            parts.append(
                f"Best other pledge: {self.pledges[alt]['name']} (score {_fmt(e['alt_score'][c])})."
            )
        if e["block_pledge"][c] >= 0:
            bp, bd = e["block_pledge"][c], e["block_dim"][c]
            parts.append(
                f"{self.pledges[bp]['name']}'s {self.dims[bd]} were worth more to "
                f"other cases (shadow price {_fmt(e['shadow_price'][c])} per place)."
            )
        key = (self.cases[c]["pk"], self.pledges[p]["pk"]) if p >= 0 else None
        if key and self.pins.get(key) == MatchPin.Kind.LOCK:
            parts.insert(0, "Locked here.")
        return " ".join(parts)

    def why_unassigned(self, c: int, residual: list[list[int]]) -> list[str]:
        run_pk_case = self.cases[c]["pk"]
        stored = self.inputs.get("not_allowed", {}).get(str(c))
        if stored:
            return stored
        allowed = self.allowed.get(c, {})
        if not allowed:
            return ["No pledge may take this case."]
        free = {
            p: s
            for p, s in allowed.items()
            if self.pins.get((run_pk_case, self.pledges[p]["pk"])) != MatchPin.Kind.FORBID
        }
        if not free:
            return ["Every pledge it may go to is forbidden in this run."]
        use = self.cases[c]["use"]
        full = []
        for p in free:
            short = [
                f"{self.dims[d]}: needs {use[d]}, {residual[p][d]} left"
                for d in range(len(self.dims))
                if use[d] > residual[p][d]
            ]
            if short:
                full.append(f"{self.pledges[p]['name']} ({'; '.join(short)})")
        lines = []
        if len(full) == len(free):
            lines.append(
                "No room left in the pledges it may go to: "
                + ", ".join(full[:4])
                + (" …" if len(full) > 4 else "")
                + "."
            )
        else:
            best = max(s for p, s in free.items())
            lines.append(
                f"It would still fit, but adds little (best score {_fmt(best)})"
                + (f"; the solver stopped at a gap of {self.run.gap:.2%}." if self.run.gap else ".")
            )
        engine = self.case_line(c)
        if engine:
            lines.append(engine)
        return lines

    def pledge_rows(self) -> list[dict]:
        used = self.used()
        accepted = {a.pledge_id: a for a in self.run.acceptances.select_related("accepted_by")}
        rows = []
        for p, pledge in enumerate(self.pledges):
            proposals = []
            for c, assigned in enumerate(self.assignment):
                if assigned != p:
                    continue
                case = self.cases[c]
                key = (case["pk"], pledge["pk"])
                proposals.append(
                    {
                        "case_id": case["case_id"],
                        "case_pk": case["pk"],
                        "size": case["use"][0] if case["use"] else 0,
                        "priority": case["facts"]["priority"],
                        "category": case.get("category", ""),
                        "score": self.allowed.get(c, {}).get(p),
                        "why": self.case_line(c),
                        "locked": self.pins.get(key) == MatchPin.Kind.LOCK,
                        "next": self.next_pins.get(key, ""),
                    }
                )
            proposals.sort(key=lambda r: (-(r["score"] or 0), r["case_id"]))
            dims = []
            for d, dim in enumerate(self.dims):
                counted = pledge["counted"][d]
                dims.append(
                    {
                        "dim": dim,
                        "capacity": counted,
                        "used": used[p][d],
                        "left": None if counted is None else counted - used[p][d],
                        "percent": None
                        if not counted
                        else min(100, round(100 * used[p][d] / counted)),
                    }
                )
            rows.append(
                {
                    "index": p,
                    "pk": pledge["pk"],
                    "name": pledge["name"],
                    "country": pledge["country"],
                    "dims": dims,
                    "proposals": proposals,
                    "score": sum(r["score"] or 0 for r in proposals),
                    "accepted": accepted.get(pledge["pk"]),
                }
            )
        return rows

    def unassigned(self) -> list[dict]:
        used = self.used()
        residual = [
            [self.pledges[p]["capacity"][d] - used[p][d] for d in range(len(self.dims))]
            for p in range(len(self.pledges))
        ]
        rows = []
        for c, p in enumerate(self.assignment):
            if p >= 0:
                continue
            case = self.cases[c]
            options = sorted(
                ((s, self.pledges[q]) for q, s in self.allowed.get(c, {}).items()),
                key=lambda t: (-t[0], t[1]["pk"]),
            )
            rows.append(
                {
                    "case_id": case["case_id"],
                    "case_pk": case["pk"],
                    "size": case["use"][0] if case["use"] else 0,
                    "priority": case["facts"]["priority"],
                    "why": self.why_unassigned(c, residual),
                    "options": [{"pk": q["pk"], "name": q["name"], "score": s} for s, q in options],
                }
            )
        return rows

    def nothing_placed(self) -> list[str] | None:
        """When a solved run placed no case, why, in a few lines for the page to say in
        place of a proposal: no case or no pledge to match, then per pledge how many
        cases its criteria let in and which of its capacities had nothing left when the
        run was built (the binding ones). None when something was placed."""
        if self.run.status != MatchRun.Status.DONE or self.run.n_assigned:
            return None
        n = len(self.cases)
        if not n:
            return ["No case was assessed and waiting for submission when the run was built."]
        if not self.pledges:
            return [
                f"No pledge was open and valid on {self.inputs.get('as_of', 'that day')}: "
                f"none of the {n} cases had anywhere to go."
            ]
        lines = []
        for p, pledge in enumerate(self.pledges):
            fits = sum(1 for c in range(n) if p in self.allowed.get(c, {}))
            full = [
                dim
                for d, dim in enumerate(self.dims)
                if pledge["counted"][d] is not None and pledge["counted"][d] <= 0
            ]
            line = f"{pledge['name']}: {fits} of {n} cases within its criteria"
            if full:
                line += f"; no {', '.join(full)} left (capacity − accepted − awaiting decision)"
            elif fits:
                line += "; too little room left for any of them"
            lines.append(line + ".")
        held = sum(1 for c in range(n) if not self.allowed.get(c))
        if held:
            lines.append(
                f"{held} of {n} cases may go to no pledge at all (each case's "
                "reason is listed below)."
            )
        return lines

    def pin_rows(self, pins: dict) -> list[dict]:
        rows = []
        for (case_pk, pledge_pk), kind in sorted(pins.items()):
            c, p = self.case_ix.get(case_pk), self.pledge_ix.get(pledge_pk)
            if c is None or p is None:
                continue
            rows.append(
                {
                    "kind": kind,
                    "case_id": self.cases[c]["case_id"],
                    "pledge_pk": pledge_pk,
                    "pledge": self.pledges[p]["name"],
                }
            )
        return rows

    def summary(self) -> dict:
        return run_summary(self.run, self.inputs)


def run_summary(run: MatchRun, inputs: dict | None = None) -> dict:
    """A run's figures (its inputs' date and dimensions only when they are given)."""
    inputs = inputs or {}
    return {
        "id": run.pk,
        "status": run.status,
        "policy": run.policy_snapshot,
        "parent": run.parent_id,
        "created_at": run.created_at,
        "created_by": run.created_by.username if run.created_by else "",
        "cases": run.n_cases,
        "pledges": run.n_pledges,
        "pairs": run.n_pairs,
        "assigned": run.n_assigned,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "seconds": run.seconds,
        "solver_status": run.solver_status,
        "inputs_sha256": run.inputs_sha256,
        "as_of": inputs.get("as_of"),
        "dimensions": inputs.get("dimensions", []),
        "error": run.error,
        "job": str(run.job_id) if run.job_id else None,
    }


def run_detail(*, user, run: MatchRun) -> dict:
    """Everything the run page shows. Audited read."""
    audit_read(actor=user, obj=run)
    view = RunView(run)
    done = run.status == MatchRun.Status.DONE
    return {
        "run": run,
        "view": view,
        "summary": view.summary(),
        "dimension_labels": CapacityDimension.shown_labels(),
        "pledge_rows": view.pledge_rows() if done else [],
        "nothing_placed": view.nothing_placed(),
        "unassigned": view.unassigned() if done else [],
        "pins": view.pin_rows(view.pins),
        "next_pins": view.pin_rows(view.next_pins),
        "pins_changed": done and view.next_pins != view.pins,
        "children": list(run.children.order_by("-created_at").defer("inputs", "result")),
        "can_see_job": run.job is not None
        and (run.job.created_by_id == user.pk or can(user, "jobs.view_all")),
    }


def pair_explanation(*, user, run: MatchRun, case_id: str, pledge_id) -> dict:
    """The score of (case, pledge) in a run, term by term, from the run's stored facts
    and policy. Audited read. NotFound if the case or pledge is not in the run."""
    view = RunView(run)
    c = next((i for i, x in enumerate(view.cases) if x["case_id"] == case_id), None)
    try:
        p = view.pledge_ix.get(int(pledge_id))
    except (TypeError, ValueError):
        p = None
    if c is None or p is None:
        raise NotFound(
            gettext("No pair %(case)s / %(pledge)s in run %(run)s.")
            % {"case": str(case_id)[:32], "pledge": str(pledge_id)[:32], "run": run.pk}
        )
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="match_run",
        object_id=run.pk,
        detail=f"explain {case_id} → pledge {pledge_id}",
    )
    weights = run.policy_snapshot["weights"]
    facts = scoring.CaseFacts.from_dict(view.cases[c]["facts"])
    pledge_facts = scoring.PledgeFacts.from_dict(view.pledges[p]["facts"])
    stored = view.allowed.get(c, {}).get(p)
    predicted = None
    if stored is not None:
        k = next(
            k
            for k, (pc, pp) in enumerate(
                zip(view.inputs["pair_case"], view.inputs["pair_pledge"], strict=True)
            )
            if pc == c and pp == p
        )
        predicted = view.inputs.get("predicted", {}).get(str(k))
    terms = scoring.pair_terms(weights, facts, pledge_facts, predicted)
    assigned = view.assignment[c] if view.assignment else -1
    return {
        "run": run,
        "case": view.cases[c],
        "pledge": view.pledges[p],
        "facts": facts,
        "terms": terms,
        "total": scoring.pair_score(weights, facts, pledge_facts, predicted),
        "stored_score": stored,
        "allowed": stored is not None,
        "not_allowed": view.inputs.get("not_allowed", {}).get(str(c), []),
        "proposed_here": assigned == p,
        "proposed_to": view.pledges[assigned]["name"] if assigned >= 0 else None,
        "line": view.case_line(c) if view.assignment else "",
        "pin": view.pins.get((view.cases[c]["pk"], view.pledges[p]["pk"]), ""),
    }
