"""The API's JSON parser: a body is bounded in size and in depth before it is parsed.

DRF reads a JSON body from the request's stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
(which only guards `request.body` and forms), and Python's `json` recurses once per
nesting level: `[[[[…]]]]` 100,000 deep raised RecursionError, a 500. Here a body larger
than DATA_UPLOAD_MAX_MEMORY_SIZE, or nested deeper than bounds.JSON_MAX_DEPTH, is refused
with 400 and a message saying which (docs/security.md, "Bad input").
"""

import codecs
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from onward import bounds

# A string (with its escapes) is skipped whole: a bracket inside one does not nest.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_OPEN = frozenset(b"[{")


def nesting_depth(body: bytes, limit: int) -> int:
    """The deepest nesting of `body`'s arrays and objects, stopping once past `limit`."""
    depth = deepest = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token[0] in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token[0] != ord('"'):
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(
                _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
            )
        if nesting_depth(body, bounds.JSON_MAX_DEPTH) > bounds.JSON_MAX_DEPTH:
            raise ParseError(
                _("The JSON body is nested deeper than %(JSON_MAX_DEPTH)s levels.")
                % {"JSON_MAX_DEPTH": bounds.JSON_MAX_DEPTH}
            )
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.decode(body, encoding)
            constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=constant)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError too
            raise ParseError(_("JSON parse error - %(exc)s") % {"exc": exc}) from None
