from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    return {}


ROWS = [
    # A delegation lands on its pledges and decisions (relocation's delegation_home).
    Row("home", lambda w: reverse("home"), outcome(200, DL=302)),
    Row("login", lambda w: reverse("login"), outcome(302, anon=200)),
    Row("logout", lambda w: reverse("logout"), outcome(302, anon=302), method="post", body={}),
    Row("audit_list", lambda w: reverse("audit_list"), outcome(403, A=200, AU=200)),
    Row("api_schema", lambda w: reverse("api_schema"), outcome(200, anon=403)),
    Row("api_docs", lambda w: reverse("api_docs"), outcome(200, anon=403)),
]
