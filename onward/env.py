"""Reading configuration from the environment (after healthchecks' settings helpers).

A secret may be given directly (`NAME`) or as a file (`NAME_FILE`, as Docker and systemd
credentials provide it), so that it never has to sit in a shell history or a unit file.

Strict: a value that is not understood stops the start with an `ImproperlyConfigured`
naming the variable and what it accepts. A lenient reading fails silently the wrong way
(`SECURE_SSL_REDIRECT=ture` read as False turned the HTTPS redirect off). An empty value
counts as unset (`NAME=` in a unit or compose file), so the default applies.
"""

import datetime as dt
import os

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def env_str(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        if os.environ.get(name):
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ImproperlyConfigured(
                f"{name}_FILE={path}: cannot read the file ({e.strerror})."
            ) from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of "
        f"{', '.join(sorted(TRUE))} or {', '.join(sorted(FALSE))}."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer, refused (naming the variable) when it is not one or out of bounds."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if minimum is not None and maximum is not None:
            bounds = f"from {minimum} to {maximum}"
        else:
            bounds = f"at least {minimum}" if minimum is not None else f"at most {maximum}"
        raise ImproperlyConfigured(f"{name} must be {bounds}, not {number}.")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, compared without case; returned as written in `choices`."""
    value = _raw(name)
    if value is None:
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_date(name: str) -> dt.date | None:
    """A date as YYYY-MM-DD, or None when unset; anything else is refused by name."""
    from django.core.exceptions import ImproperlyConfigured

    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a date (YYYY-MM-DD).") from None


# Owner only: what Onward writes (the SQLite database and its journal, uploads, import
# reports, exports, backups, the development key file) holds personal data or secrets.
PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Makes every file and directory this process creates from now on its owner's alone
    (0600 / 0700), whatever umask the service or shell started it with (usually 022)."""
    os.umask(PRIVATE_UMASK)
