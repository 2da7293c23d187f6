"""The forms of a document number and a phone that the blind index hashes: two spellings
of the same identifier must give the same hash, or an exact lookup misses it."""

import unicodedata

# Phones: digits only, the last 9 kept. Nine digits are a mobile number without its
# country code or trunk prefix in most numbering plans (Iraq: +964 770 123 4567 and
# 0770 123 4567 both end 701234567), so the international and the local spelling match.
PHONE_DIGITS = 9


def document(value: str) -> str:
    """Upper case, letters and digits only: 'ab-123 456' and 'AB123456' are one document."""
    text = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def phone(value: str) -> str:
    """Digits only (Arabic-Indic digits read as digits), the last nine."""
    digits = "".join(
        str(unicodedata.digit(ch))
        for ch in (value or "")
        if unicodedata.digit(ch, None) is not None
    )
    return digits[-PHONE_DIGITS:]


NORMALISERS = {"document": document, "phone": phone}
