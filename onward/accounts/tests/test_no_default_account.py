"""No default account in production: `check --deploy` reports a demo login still active,
and `onward demo` refuses the production settings."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from onward.accounts.models import User
from onward.demo.users import demo_users_ensure

pytestmark = pytest.mark.django_db


def _deploy_check() -> str:
    out = io.StringIO()
    try:
        call_command("check", deploy=True, stdout=out, stderr=out)
    except SystemCheckError as exc:
        return str(exc)
    return out.getvalue()


def test_check_deploy_reports_an_active_demo_account():
    demo_users_ensure()
    report = _deploy_check()
    assert "onward.accounts.E001" in report and "clerk" in report

    for user in User.objects.all():
        if user.username != "clerk":
            user.is_active = False
            user.save()
    clerk = User.objects.get(username="clerk")
    clerk.set_password("a-new-password-of-her-own")
    clerk.save()
    assert "onward.accounts.E001" not in _deploy_check()


def test_an_old_demo_password_counts_too(users):
    User.objects.create_user("auditor", password="auditor-demo-2013", role="auditor")
    assert "onward.accounts.E001" in _deploy_check()


@override_settings(ONWARD_PRODUCTION=True)
def test_the_demo_refuses_the_production_settings():
    with pytest.raises(CommandError, match="production"):
        call_command("demo", no_serve=True, stdout=io.StringIO())
    assert not User.objects.exists()
