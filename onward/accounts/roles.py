"""Roles and what each may do, as data (after RapidPro's permissions table).

A permission code is `<object>.<action>`. `policy.py` is the only place that reads this
table; views, the API and commands ask the policy, never the table.
"""

from django.utils.translation import gettext_noop

ADMIN = "admin"
DATA_MANAGER = "data_manager"
CLERK = "registration_clerk"
PROTECTION = "protection_officer"
RESETTLEMENT = "resettlement_officer"
DELEGATION = "delegation"
AUDITOR = "auditor"

# The labels are marked for the catalogs (gettext_noop: the values stay English here, for
# the choices of the user's role and the generated docs); `User.role_label` translates.
ROLES = {
    ADMIN: gettext_noop("Administrator"),
    DATA_MANAGER: gettext_noop("Data manager"),
    CLERK: gettext_noop("Registration clerk"),
    PROTECTION: gettext_noop("Protection officer"),
    RESETTLEMENT: gettext_noop("Resettlement officer"),
    DELEGATION: gettext_noop("Country delegation"),
    AUDITOR: gettext_noop("Auditor"),
}

_STAFF = {ADMIN, DATA_MANAGER, CLERK, PROTECTION, RESETTLEMENT}

PERMISSIONS: dict[str, set[str]] = {
    # The registry: who reads and writes persons and cases.
    "registry.view": _STAFF | {AUDITOR},
    "registry.create": {ADMIN, DATA_MANAGER, CLERK},
    "registry.edit": {ADMIN, DATA_MANAGER, CLERK, PROTECTION},
    # Personal data leaving the system in bulk.
    "registry.export": {ADMIN, DATA_MANAGER},
    # Taking a person or a case out of the registry (registered in error) and back: a
    # recorded, reversible status that changes the population through the ledger.
    "registry.remove": {ADMIN, DATA_MANAGER},
    # Who is in which case: move a member, split a case, link cases, and undo (issue 18).
    "registry.compose": {ADMIN, DATA_MANAGER, RESETTLEMENT},
    # Protection notes are confidential: never shown to delegations or clerks.
    "protection_notes.view": {ADMIN, PROTECTION},
    "protection_notes.add": {ADMIN, PROTECTION},
    "notes.add": {ADMIN, DATA_MANAGER, CLERK, PROTECTION, RESETTLEMENT},
    # Documents (onward/documents): reading a document's file; protection-tier documents
    # only for protection officers.
    "documents.view": _STAFF,
    "documents.protection": {PROTECTION},
    # Consent (onward/consent, docs/consent.md): the register is staff's to read and
    # write; submitting without every adult's consent takes an override by a protection
    # officer (or admin) with a reason; agreements are the data team's; the dossier is the
    # delegation's (its own country's, while open) and the resettlement officers' who
    # choose its documents.
    "consent.view": _STAFF | {AUDITOR},
    "consent.record": _STAFF,
    "consent.override": {ADMIN, PROTECTION},
    "consent.agreements": {ADMIN, DATA_MANAGER},
    "dossier.view": {ADMIN, RESETTLEMENT, DELEGATION},
    "dossier.manage": {ADMIN, RESETTLEMENT},
    # The retention policy (docs/retention.md): read-only, for the data team and auditors.
    "retention.view": {ADMIN, DATA_MANAGER, AUDITOR},
    # Letters to residents (onward/letters, docs/pdf.md): printed by staff who may see the
    # case, for the household; never by a delegation or the auditor.
    "letters.generate": _STAFF,
    # The audit log.
    "audit.view": {ADMIN, AUDITOR},
    "registry.import": {ADMIN, DATA_MANAGER, CLERK},
    # Duplicates: anyone who registers sees warnings; deciding a merge is the data team's.
    "dedup.view": _STAFF | {AUDITOR},
    "dedup.review": {ADMIN, DATA_MANAGER},
    "dedup.run": {ADMIN, DATA_MANAGER},
    # Relocation. Delegations see only their country's submissions (policy scopes them).
    "relocation.view": _STAFF | {AUDITOR, DELEGATION},
    "relocation.manage_pledges": {ADMIN, RESETTLEMENT},
    "relocation.process": {ADMIN, RESETTLEMENT},
    # Approving an officer's recommendation before a case goes to a pledge (issue 18): a
    # second pair of eyes, never the recommender (relocation/review.py).
    "relocation.review": {ADMIN, RESETTLEMENT, PROTECTION},
    "relocation.decide": {ADMIN, DELEGATION},
    "relocation.exit_checks": {ADMIN, RESETTLEMENT, PROTECTION},
    "matching.run": {ADMIN, RESETTLEMENT},
    # Departure readiness (docs/readiness.md): recording facts, and waiving a requirement.
    "readiness.record": {ADMIN, RESETTLEMENT, PROTECTION},
    "readiness.waive": {ADMIN, RESETTLEMENT},
    # A delegation confirms its own country's items (a visa issued) for its accepted cases.
    "readiness.confirm": {DELEGATION},
    # Movements, the population ledger, incidents.
    "movements.view": _STAFF | {AUDITOR},
    "movements.record": {ADMIN, DATA_MANAGER, PROTECTION},
    "transfers.manage": {ADMIN, RESETTLEMENT},
    "incidents.view": _STAFF | {AUDITOR},
    "incidents.record": {ADMIN, DATA_MANAGER, PROTECTION},
    # Interviews (docs/interviews.md): staff see the day board; booking and check-in for
    # those who hold the interviews.
    "interviews.view": _STAFF,
    "interviews.book": {ADMIN, RESETTLEMENT, PROTECTION},
    # A delegation's way to its selection missions (its own country's, scoped by the
    # policy; staff reach them from the Interviews pages): the menu entry "Missions".
    "interviews.missions": {DELEGATION},
    # Camp housing (docs/camp.md): seeing blocks and who lives where, allocating, and
    # allocating over a unit's capacity (with a reason), which the service checks itself.
    "camp.view": _STAFF | {AUDITOR},
    "camp.allocate": {ADMIN, DATA_MANAGER, CLERK},
    "camp.override": {ADMIN, DATA_MANAGER},
    # The housing's shape: creating and editing sites, blocks and units (capacity,
    # blocked places, status) is for those who may also override a full unit.
    "camp.manage": {ADMIN, DATA_MANAGER},
    # Presence (docs/presence.md): last seen and roll calls are staff's and the auditor's
    # to read; scanning at a checkpoint, issuing cards, and running roll calls (which
    # record deaths and injuries through the incidents and movements services).
    "presence.view": _STAFF | {AUDITOR},
    "presence.record": {ADMIN, DATA_MANAGER, CLERK, PROTECTION},
    "presence.cards": {ADMIN, DATA_MANAGER, CLERK},
    "presence.rollcall": {ADMIN, DATA_MANAGER, PROTECTION},
    # Tasks made by rules (docs/tasks.md): staff, each their role's or their own.
    "tasks.view": _STAFF,
    # Reports: every role, within its scope.
    "reports.view": _STAFF | {AUDITOR, DELEGATION},
    # Background jobs: everyone sees their own; these roles see all.
    "jobs.view_all": {ADMIN, DATA_MANAGER},
    # Users and reference lists.
    "users.manage": {ADMIN},
}


def role_permissions(role: str) -> set[str]:
    return {code for code, roles in PERMISSIONS.items() if role in roles}


# Permissions that show personal data: a resident's record (the registry, duplicates,
# submissions a delegation reads, manifests, incident victims), or who did what (the audit
# log, user accounts). A role holding any of them signs in with a second factor.
PERSONAL_DATA_PERMISSIONS = {
    "registry.view",
    "registry.export",
    "protection_notes.view",
    "dedup.view",
    "relocation.view",
    "movements.view",
    "incidents.view",
    "presence.view",
    "audit.view",
    "users.manage",
}


def reads_personal_data(role: str) -> bool:
    """Whether the role can read personal data, computed from the table above."""
    return bool(role_permissions(role) & PERSONAL_DATA_PERMISSIONS)
