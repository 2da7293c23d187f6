"""The production smoke test's client (scripts/smoke-production runs it): a user who signs
in with a password and a TOTP code and works, as a browser would, through the proxy.

Standard library only (it runs in the operator's fresh virtualenv): the TOTP code comes
from RFC 6238 written here, not from Onward's own code, as an authenticator app would
make it. Every requirement that fails stops the run with what was asked and what came
back; the exit status is the number of failed steps (0: all passed).

    python smoke_client.py --base https://localhost:8443 --cafile cert.pem \
        --username NAME --password-file FILE [--direct http://127.0.0.1:8000]
"""

import argparse
import base64
import gzip
import hashlib
import hmac
import http.client
import json
import re
import ssl
import struct
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie

HSTS = "max-age=31536000; includeSubDomains; preload"


class Failed(Exception):
    pass


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 over the 30-second step, six digits."""
    key = base64.b32decode(secret_b32.replace(" ", "").upper())
    step = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, step, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.raw_body = raw.read()
        self.body = (
            gzip.decompress(self.raw_body)
            if raw.headers.get("Content-Encoding") == "gzip"
            else self.raw_body
        )

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Browser:
    """Cookies, the CSRF token, and requests that say what they need of the answer."""

    def __init__(self, base: str, cafile: str | None, proxy_headers: dict[str, str]):
        self.base = urllib.parse.urlsplit(base)
        self.context = ssl.create_default_context(cafile=cafile) if cafile else None
        self.proxy_headers = proxy_headers
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        body_json: dict | None = None,
        headers: dict | None = None,
        source: str | None = None,
        base: urllib.parse.SplitResult | None = None,
    ):
        base = base or self.base
        source_address = (source, 0) if source else None
        if base.scheme == "https":
            conn = http.client.HTTPSConnection(
                base.hostname,
                base.port,
                timeout=30,
                context=self.context,
                source_address=source_address,
            )
        else:
            conn = http.client.HTTPConnection(
                base.hostname, base.port, timeout=30, source_address=source_address
            )
        origin = f"{self.base.scheme}://{self.base.netloc}"
        sent = {
            "Accept-Encoding": "gzip",
            "Referer": origin + path,
            **self.proxy_headers,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = origin
        if body_json is not None:
            body = json.dumps(body_json)
            sent["Content-Type"] = "application/json"
            sent["Origin"] = origin
            sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        conn.request(method, path, body=body, headers=sent)
        response = Response(conn.getresponse())
        conn.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            for name, morsel in SimpleCookie(line).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post_form(self, path: str, page: Response, fields: dict) -> Response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            raise Failed(f"POST {path}: the page before has no CSRF token")
        return self.request("POST", path, form={"csrfmiddlewaretoken": token.group(1), **fields})


def expect(
    response: Response, what: str, status: int, *, location: str | None = None, https: bool = True
) -> Response:
    if response.status != status:
        raise Failed(
            f"{what}: status {response.status}, expected {status}; "
            f"Location={response.header('Location')!r} {response.text[:300]!r}"
        )
    if location is not None and not response.header("Location").startswith(location):
        raise Failed(
            f"{what}: redirected to {response.header('Location')!r}, expected {location!r}"
        )
    if https and response.header("Strict-Transport-Security") != HSTS:
        raise Failed(
            f"{what}: Strict-Transport-Security is {response.header('Strict-Transport-Security')!r}"
        )
    print(f"ok   {what}: {response.status}")
    return response


def expect_cookie_flags(browser: Browser, name: str) -> None:
    lines = [line for line in browser.set_cookie_lines if line.startswith(f"{name}=")]
    if not lines:
        raise Failed(f"cookie {name}: never set")
    for line in lines:
        flags = {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}
        if not {"secure", "httponly"} <= flags:
            raise Failed(f"cookie {name}: {line.split(';', 1)[1]!r} lacks Secure or HttpOnly")
    print(f"ok   cookie {name}: Secure, HttpOnly")


def sign_in_with_password(browser: Browser, username: str, password: str) -> Response:
    page = expect(browser.get("/login/"), "sign-in page", 200)
    if "gzip" != page.header("Content-Encoding"):
        raise Failed(
            f"sign-in page: not compressed (Content-Encoding {page.header('Content-Encoding')!r})"
        )
    expect_cookie_flags(browser, "csrftoken")
    return browser.post_form("/login/", page, {"username": username, "password": password})


def check_static(browser: Browser, page: Response) -> None:
    """A stylesheet the page names: hashed, compressed, cached for a year."""
    href = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', page.text)
    if not href or not re.search(r"\.[0-9a-f]{12}\.css$", href.group(1)):
        raise Failed(f"static files: the page names no hashed stylesheet ({href and href[1]})")
    css = expect(
        browser.get(href.group(1), headers={"Accept-Encoding": "br, gzip"}),
        f"stylesheet {href.group(1)}",
        200,
    )
    control = css.header("Cache-Control")
    if (
        css.header("Content-Encoding") != "br"
        or "immutable" not in control
        or "max-age=315360000" not in control
    ):
        raise Failed(
            f"stylesheet: Content-Encoding {css.header('Content-Encoding')!r}, "
            f"Cache-Control {control!r}"
        )
    print(f"ok   stylesheet: brotli, {control}")


def run(args) -> None:
    password = open(args.password_file, encoding="utf-8").read().strip()
    proxy = {"X-Forwarded-Proto": "https"} if args.proxy_header else {}
    browser = Browser(args.base, args.cafile, proxy)

    # 1. Password, then the second factor (first sign-in: pairing the app).
    signed = sign_in_with_password(browser, args.username, password)
    expect(signed, "password accepted", 302, location="/")
    expect_cookie_flags(browser, "sessionid")
    expect(
        browser.get("/persons/"),
        "a page before the second factor",
        302,
        location="/account/two-factor/enrol/",
    )
    enrol = expect(browser.get("/account/two-factor/enrol/"), "pairing page", 200)
    secret = re.search(r'class="secret mono"[^>]*>([A-Z2-7 ]+)<', enrol.text)
    if not secret:
        raise Failed("pairing page: no key shown")
    paired = browser.post_form(
        "/account/two-factor/enrol/", enrol, {"otp_token": totp(secret.group(1)), "next": "/"}
    )
    expect(paired, "TOTP code accepted", 302, location="/")

    # 2. Work: register a case through the API, read its person on the web and the API.
    created = expect(
        browser.request(
            "POST",
            "/api/cases/",
            body_json={
                "principal": {
                    "given_name": "Zahra",
                    "family_name": "Ghaffarzadeh",
                    "sex": "F",
                    "birth_date": "1984-03-02",
                    "nationality": "IRN",
                    "specific_needs": [],
                }
            },
        ),
        "API: register a case",
        201,
    )
    person_id = json.loads(created.body)["members"][0]["person_id"]
    person = expect(browser.get(f"/persons/{person_id}/"), f"person page {person_id}", 200)
    if "Ghaffarzadeh" not in person.text or person.header("Content-Encoding") != "gzip":
        raise Failed("person page: the name is missing or the page is not compressed")
    if "no-store" not in person.header("Cache-Control"):
        raise Failed(f"person page: Cache-Control {person.header('Cache-Control')!r}")
    api = expect(browser.get(f"/api/persons/{person_id}/"), "API: the person", 200)
    if json.loads(api.body)["family_name"] != "Ghaffarzadeh":
        raise Failed("API: the person's record is not the one registered")
    check_static(browser, person)
    expect(browser.get("/persons/P999999/"), "a person that is not there", 404)

    # 3. A second sign-in with the password only reaches nothing but the second factor.
    other = Browser(args.base, args.cafile, proxy)
    expect(sign_in_with_password(other, args.username, password), "password (again)", 302)
    expect(
        other.get(f"/persons/{person_id}/"),
        "password-only session: person page",
        302,
        location="/account/two-factor/?",
    )
    refused = expect(other.get(f"/api/persons/{person_id}/"), "password-only session: API", 403)
    if "Ghaffarzadeh" in refused.text:
        raise Failed("password-only session: the API answered with the record")

    # 4. Plain HTTP is sent to HTTPS, and a client that reaches the application server
    # directly (not from the proxy's address) cannot claim HTTPS with the proxy's header.
    if args.http:
        plain = urllib.parse.urlsplit(args.http)
        expect(
            browser.get("/login/", base=plain),
            "plain HTTP",
            301,
            location=f"https://{plain.hostname}",
            https=False,
        )
    if args.direct:
        direct = urllib.parse.urlsplit(args.direct)
        spoofed = browser.get(
            "/login/",
            base=direct,
            source=args.direct_source,
            headers={"X-Forwarded-Proto": "https", "Host": browser.base.netloc},
        )
        expect(
            spoofed,
            f"X-Forwarded-Proto from {args.direct_source} (not the proxy)",
            301,
            location="https://",
            https=False,
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the address users open")
    parser.add_argument("--cafile", help="the certificate to trust (self-signed)")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument(
        "--proxy-header",
        action="store_true",
        help="no proxy: send X-Forwarded-Proto: https as a proxy would",
    )
    parser.add_argument("--http", help="the proxy's plain-HTTP address (expects a redirect)")
    parser.add_argument("--direct", help="the application server's own address")
    parser.add_argument(
        "--direct-source", default="127.0.0.2", help="a local address that is not the proxy's"
    )
    args = parser.parse_args(argv)
    try:
        run(args)
    except Failed as e:
        print(f"FAIL {e}")
        return 1
    print("all requirements met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
