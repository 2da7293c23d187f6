"""One demo user per role. Passwords are printed by `onward demo`: demo data only."""

from onward.accounts import roles
from onward.accounts.models import User

DEMO_USERS = [
    # username, role, country, full name
    ("admin", roles.ADMIN, "", "Amina Admin"),
    ("datamanager", roles.DATA_MANAGER, "", "Dara Data"),
    ("clerk", roles.CLERK, "", "Karim Clerk"),
    ("protection", roles.PROTECTION, "", "Parisa Protection"),
    ("resettlement", roles.RESETTLEMENT, "", "Rami Resettlement"),
    ("delegation", roles.DELEGATION, "ALB", "Drita Delegation (Albania)"),
    ("auditor", roles.AUDITOR, "", "Aud Auditor"),
]


def demo_password(username: str) -> str:
    return f"{username}-demo-2013"


def demo_users_ensure() -> list[tuple[str, str, str]]:
    """Creates the demo users if missing; returns (username, password, role label)."""
    logins = []
    for username, role, country, full_name in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "country": country, "first_name": first, "last_name": last,
                      "is_staff": role == roles.ADMIN, "is_superuser": role == roles.ADMIN})
        if created:
            user.set_password(demo_password(username))
            user.save()
        logins.append((username, demo_password(username), roles.ROLES[role]))
    return logins
