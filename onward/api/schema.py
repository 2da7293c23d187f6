"""The OpenAPI schema documents the error answers too, so that a client (and the
Schemathesis run in the test suite) knows every status an operation may return; and it
states what a valid body is closely enough that input it calls valid is accepted.

400 means the input is wrong (`fields` names the field at fault); 409 that the input is
well formed but the record's state refuses it (already decided, nothing left to accept,
a stale version): see docs/security.md, "400 and 409"."""

from drf_spectacular import openapi
from rest_framework import serializers

# DRF refuses a NUL character in any text field; a trimmed field that may not be blank
# also needs a character that is not white space (DRF strips " " to "" and refuses it).
ANY_TEXT = "^[^\\x00]*$"
NOT_ONLY_SPACE = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, plus: a request's plain text field says with a pattern what DRF
    refuses in it (NUL; only white space where it may not be blank), so that a string
    the schema calls valid is one the field takes."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and isinstance(schema, dict)
            and "pattern" not in schema
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NOT_ONLY_SPACE if blank_refused else ANY_TEXT
        return schema


ERROR = {
    "type": "object",
    "description": "An error: what is wrong, and for invalid input the field at fault.",
    "properties": {
        "error": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "field name → its messages (nested for nested input)",
        },
        "reference": {"type": "string", "description": "server errors: quote it to support"},
    },
    "required": ["error"],
}

# Any call: invalid input or parameters, not signed in, role may not, no such record (or
# not one the user may see: the same answer). Writes may also meet a stale version.
ALWAYS = {
    "400": "Invalid input; `fields` names the field at fault.",
    "403": "Not signed in, or the role may not do this.",
    "404": "No such record, or not one you may see.",
}
WRITES = {
    "409": "The record changed since you read it (a stale version), or the action "
    "conflicts with its state."
}
WITH_BODY = {"415": "The body is not {types}."}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error shape on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = {
                **ALWAYS,
                **(WRITES if method in ("post", "put", "patch", "delete") else {}),
                **(WITH_BODY if "requestBody" in operation else {}),
            }
            types = " or ".join(
                operation.get("requestBody", {}).get("content", {}) or ["JSON"]
            ).replace("application/json", "JSON")
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description.format(types=types), "content": ref}
                )
    return result
