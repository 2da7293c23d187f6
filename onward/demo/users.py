"""One demo user per role. Passwords are printed by `onward demo`: demo data only.

`onward check --deploy` reports any active user still holding one of these passwords, and
`onward demo` refuses to run with the production settings.
"""

from django.contrib.auth.password_validation import validate_password

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
    # Long enough beside the longest name to pass the similarity validator.
    return f"{username}-liberty-2013"


def demo_passwords(username: str) -> list[str]:
    """Every password the demo has ever published for the name (the check looks for all)."""
    return [demo_password(username), f"{username}-demo-2013"]


def demo_users_ensure() -> list[tuple[str, str, str]]:
    """Creates the demo users if missing, through the same password rules as every other
    account; returns (username, password, role label)."""
    logins = []
    for username, role, country, full_name in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        password = demo_password(username)
        user = User.objects.filter(username=username).first()
        if user is None:
            # Admins are staff of the camp; a delegation never is (incompatible roles).
            user = User(
                username=username,
                role=role,
                country=country,
                first_name=first,
                last_name=last,
                is_staff=role == roles.ADMIN,
                is_superuser=role == roles.ADMIN,
            )
            user.full_clean(exclude=["password"])
        if not user.check_password(password):  # new, or from an older demo
            validate_password(password, user)
            user.set_password(password)
            user.save()
        logins.append((username, password, roles.ROLES[role]))
    return logins
