"""`onward check --deploy`: no account of the demo may sign in to a real deployment.

The demo's logins are printed on screen and written in the README: an active user who
still has one (its name and its published password) is an open door.
"""

from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_demo_accounts(app_configs=None, **kwargs):
    from onward.accounts.models import User
    from onward.demo.users import DEMO_USERS, demo_passwords

    try:
        users = list(User.objects.filter(is_active=True, username__in=[u[0] for u in DEMO_USERS]))
    except DatabaseError as exc:
        return [
            Warning(
                f"Could not look for demo accounts in the database ({exc}).",
                id="onward.accounts.W001",
            )
        ]
    # hashers.check_password, not user.check_password: a check must not re-hash and save.
    open_doors = [
        user.username
        for user in users
        if any(check_password(p, user.password) for p in demo_passwords(user.username))
    ]
    if not open_doors:
        return []
    return [
        Error(
            f"Active users with the demo's published password: {', '.join(sorted(open_doors))}.",
            hint="Deactivate them or set new passwords (`onward changepassword NAME`); never run "
            "`onward demo` against a production database.",
            id="onward.accounts.E001",
        )
    ]
