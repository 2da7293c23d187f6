"""Roles and what each may do, as data (after RapidPro's permissions table).

A permission code is `<object>.<action>`. `policy.py` is the only place that reads this
table; views, the API and commands ask the policy, never the table.
"""

ADMIN = "admin"
DATA_MANAGER = "data_manager"
CLERK = "registration_clerk"
PROTECTION = "protection_officer"
RESETTLEMENT = "resettlement_officer"
DELEGATION = "delegation"
AUDITOR = "auditor"

ROLES = {
    ADMIN: "Administrator",
    DATA_MANAGER: "Data manager",
    CLERK: "Registration clerk",
    PROTECTION: "Protection officer",
    RESETTLEMENT: "Resettlement officer",
    DELEGATION: "Country delegation",
    AUDITOR: "Auditor",
}

_STAFF = {ADMIN, DATA_MANAGER, CLERK, PROTECTION, RESETTLEMENT}

PERMISSIONS: dict[str, set[str]] = {
    # The registry: who reads and writes persons and cases.
    "registry.view": _STAFF | {AUDITOR},
    "registry.create": {ADMIN, DATA_MANAGER, CLERK},
    "registry.edit": {ADMIN, DATA_MANAGER, CLERK, PROTECTION},
    # Personal data leaving the system in bulk.
    "registry.export": {ADMIN, DATA_MANAGER},
    # Protection notes are confidential: never shown to delegations or clerks.
    "protection_notes.view": {ADMIN, PROTECTION},
    "protection_notes.add": {ADMIN, PROTECTION},
    "notes.add": {ADMIN, DATA_MANAGER, CLERK, PROTECTION, RESETTLEMENT},
    # The audit log.
    "audit.view": {ADMIN, AUDITOR},
    # Background jobs: everyone sees their own; these roles see all.
    "jobs.view_all": {ADMIN, DATA_MANAGER},
    # Users and reference lists.
    "users.manage": {ADMIN},
}


def role_permissions(role: str) -> set[str]:
    return {code for code, roles in PERMISSIONS.items() if role in roles}
