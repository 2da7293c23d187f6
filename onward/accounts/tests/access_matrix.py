"""The second-factor pages: anyone signed in may open them; once verified they send the
user on (302). Their behaviour for password-only sessions is in test_two_factor.py.

The language switch answers everyone, signed in or not (the sign-in page offers it), and
sends them back (302); the display preferences are each signed-in user's own (no user id
in the address, so no out-of-scope column)."""

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    return {}


ROWS = [
    Row("otp_verify", lambda w: reverse("otp_verify"), outcome(302)),
    Row("otp_enrol", lambda w: reverse("otp_enrol"), outcome(302)),
    Row(
        "otp_verify",
        lambda w: reverse("otp_verify"),
        outcome(302),
        method="post",
        body={"otp_token": "000000"},
    ),
    Row(
        "set_language",
        lambda w: reverse("set_language"),
        outcome(302, anon=302),
        method="post",
        body={"language": "en", "next": "/"},
        outside=None,  # names no record
    ),
    Row(
        "account_preferences",
        lambda w: reverse("account_preferences"),
        outcome(200),
        outside=None,  # the signed-in user's own
    ),
    Row(
        "account_preferences",
        lambda w: reverse("account_preferences"),
        outcome(302),
        method="post",
        body={"language": "", "digits": "latn", "calendar": "gregory"},
        outside=None,  # the signed-in user's own
    ),
]
