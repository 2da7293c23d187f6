"""Signing in through the real forms, as a person does (the tests of sign-in itself)."""

PASSWORD = "pw-for-tests-123"  # the conftest users' password


def password_login(client, username: str, password: str = PASSWORD):
    """The sign-in form, posted: the password step only."""
    return client.post("/login/", {"username": username, "password": password})


def code_submit(client, code: str, next_url: str = "/"):
    return client.post("/account/two-factor/", {"otp_token": code, "next": next_url})
