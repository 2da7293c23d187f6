"""No English refusal reaches an Arabic or Persian reader (issue 22): every message a user
reads in a `ValidationError(...)`, a flash message (`messages.<level>(request, ...)`) or a
`PermissionDenied(...)` goes through gettext. The source of onward/ (tests and migrations
aside) is read with `ast`, and a message that is a plain string literal, an f-string, or a
literal formatted with `%` / `.format()` fails, with its file and line. A text that no user
ever reads (an internal invariant, a message for the operator) carries the comment
`# i18n: not shown` on the line of the call."""

import ast
import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXEMPT = "# i18n: not shown"
LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}


def _literal(node: ast.AST) -> bool:
    """Whether an expression is text that gettext never saw."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        # "..." % values, "..." + "...": the text is the literal on the left (or right).
        return _literal(node.left) or (isinstance(node.op, ast.Add) and _literal(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # "...".format(...) / "; ".join(...) keeps the literal's words only for format.
        return node.func.attr == "format" and _literal(node.func.value)
    if isinstance(node, ast.IfExp):
        return _literal(node.body) or _literal(node.orelse)
    if isinstance(node, ast.Dict):
        return any(v is not None and _literal(v) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_literal(e) for e in node.elts)
    return False


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _message(call: ast.Call) -> ast.AST | None:
    """The argument of a call that carries the text a user reads, if the call is one."""
    name = _name(call.func)
    if name in ("ValidationError", "PermissionDenied"):
        for kw in call.keywords:
            if kw.arg in ("message", "detail"):
                return kw.value
        return call.args[0] if call.args else None
    if (
        name in LEVELS
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "messages"
    ):
        index = 2 if name == "add_message" else 1
        for kw in call.keywords:
            if kw.arg == "message":
                return kw.value
        return call.args[index] if len(call.args) > index else None
    return None


def violations(source: str, filename: str = "<snippet>") -> list[str]:
    """file:line of each call whose user-facing message is not a gettext call."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        message = _message(node)
        if message is None or not _literal(message):
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if any(EXEMPT in line for line in span):
            continue
        found.append((node.lineno, f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}"))
    return [text for _, text in sorted(found)]


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.relative_to(ROOT).parts
        and "migrations" not in p.relative_to(ROOT).parts
        and not p.name.startswith("test_")
    ]


def test_every_refusal_and_flash_message_is_marked_for_translation():
    found = []
    for path in _sources():
        found += violations(path.read_text(), str(path.relative_to(ROOT.parent)))
    assert not found, "messages not marked for translation:\n" + "\n".join(found)


def test_the_scanner_finds_a_planted_literal_and_f_string():
    snippet = """
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

def view(request, n):
    messages.success(request, f"Saved {n} rows.")
    messages.error(request, _("Refused."))
    raise ValidationError("The date is in the future.")
"""
    found = violations(snippet)
    assert [f.split(":")[1] for f in found] == ["7", "9"]


def test_the_scanner_sees_formatting_dicts_and_keywords():
    snippet = """
def check(x):
    raise ValidationError("%(x)s is wrong" % {"x": x})
    raise ValidationError({"date": "Too early."})
    raise ValidationError(message="Nope {}".format(x))
    raise PermissionDenied("Not yours.")
    messages.add_message(request, messages.INFO, "Done.")
"""
    assert [f.split(":")[1] for f in violations(snippet)] == ["3", "4", "5", "6", "7"]


def test_the_scanner_accepts_gettext_variables_and_the_exemption():
    snippet = """
def check(x, problem):
    raise ValidationError(_("%(x)s is wrong") % {"x": x})
    raise ValidationError({"date": _("Too early.")})
    raise ValidationError(problem)
    raise ValidationError(ngettext("one row", "%(n)s rows", x) % {"n": x})
    raise ValidationError("internal invariant")  # i18n: not shown
    raise PermissionDenied
    messages.success(request, message)
"""
    assert violations(snippet) == []


def test_a_refusal_reaches_arabic_and_persian_readers_in_their_language():
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import translation

    from onward import bounds
    from onward.accounts.policy import require

    for language, said in (("ar", "أقل من الصفر"), ("fa", "کمتر از صفر")):
        with translation.override(language):
            with pytest.raises(ValueError) as below:
                bounds.check_count(-3)
            assert said in str(below.value) and "-3" in str(below.value)
            assert "below zero" not in str(below.value)
            with pytest.raises(ValidationError) as refused:
                bounds.validator(bounds.check_birth_date)(dt.date(1850, 1, 1))
            assert "1850-01-01" in refused.value.messages[0]
            assert "too far in the past" not in refused.value.messages[0]
    with translation.override("ar"), pytest.raises(PermissionDenied) as denied:
        require(None, "registry.edit")
    assert "لا يسمح دورك" in str(denied.value) and "(registry.edit)" in str(denied.value)
    with translation.override("en"):
        assert bounds.check_count(5) == 5
        with pytest.raises(ValueError, match="is below zero"):
            bounds.check_count(-1)


@pytest.mark.django_db
def test_a_flash_message_reaches_a_persian_user_in_persian(client_for, users):
    """A reader who chose Persian asks the reports for a day that is no date: the page
    says so in Persian (the day typed kept as typed), and shows today."""
    from onward.accounts import roles

    user = users[roles.DATA_MANAGER]
    user.language = "fa"
    user.save(update_fields=["language"])
    page = client_for(roles.DATA_MANAGER).get("/reports/?as_of=yesterday")
    assert page.status_code == 200
    text = page.content.decode()
    assert "«yesterday» تاریخ نیست (YYYY-MM-DD)." in text
    assert "is not a date" not in text
