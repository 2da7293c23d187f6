"""The second-factor pages: anyone signed in may open them; once verified they send the
user on (302). Their behaviour for password-only sessions is in test_two_factor.py."""

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
]
