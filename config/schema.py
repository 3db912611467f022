"""The OpenAPI schema's shared parts: the error envelope and the errors every operation can answer.

Views document their own success bodies and the errors particular to them (a 409, a 503); the
postprocessing hook below adds what follows from how the API is built, so no view has to repeat
it: 400 for any operation that reads input, 401 and 403 for authenticated ones, 404 for an id in
the path, 415 for a body that is not JSON, 429 everywhere (every view is throttled). It also
gives every error response, documented here or by a view, the envelope of config/exceptions.py,
and says that an optional query parameter sent empty counts as absent.
"""

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.drainage import get_override
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

ENVELOPE = "Error"
ENVELOPE_SCHEMA = {
    "type": "object",
    "description": "Every error on /api/: a human-readable message and a machine code.",
    "properties": {
        "error": {"type": "string", "description": "A human-readable message."},
        "code": {"type": "string", "description": "A machine code, e.g. invalid, not_found, throttled."},
        "fields": {
            "type": "object",
            "additionalProperties": {},
            "description": "Validation errors only: the messages for each bad field.",
        },
    },
    "required": ["error", "code"],
}

DESCRIPTIONS = {
    "400": "Bad input; `fields` names each bad field.",
    "401": "No credentials, or bad or expired ones.",
    "403": "Not allowed (with the session cookie: also a missing or wrong CSRF token).",
    "404": "Absent, or not yours.",
    "409": "Conflicts with the current state.",
    "415": "The body is not JSON.",
    "429": "Throttled; retry after the number of seconds in Retry-After.",
    "503": "A service this call needs is unavailable; retry later.",
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
        "required": True,
    }
}

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
HTTP_METHODS = {"get", *UNSAFE_METHODS}


def _envelope_content() -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ENVELOPE}"}}}


def _is_public(operation: dict) -> bool:
    """No credentials needed: drf-spectacular writes `{}` among the options, or none at all."""
    security = operation.get("security")
    return not security or {} in security


def _implied_errors(method: str, operation: dict) -> set[str]:
    locations = {parameter.get("in") for parameter in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    codes = {"429"}
    if has_body or "query" in locations:
        codes.add("400")
    if has_body:
        codes.add("415")
    if "path" in locations:
        codes.add("404")
    if not _is_public(operation):
        codes.add("401")
        if method in UNSAFE_METHODS:
            codes.add("403")
    return codes


def error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOK: the envelope component and the errors of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ENVELOPE] = ENVELOPE_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            for parameter in operation.get("parameters", []):
                # Ids are UUIDs (API.md); anything else in their place is a 404.
                if parameter.get("in") == "path" and parameter["name"].endswith("_id"):
                    parameter["schema"] = {"type": "string", "format": "uuid"}
                # Every view reads an optional query parameter sent empty as absent (DRF does so for
                # serializer fields reading a QueryDict); `?status=` is "any status", not a 400.
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code in _implied_errors(method, operation):
                responses.setdefault(code, {})
            for code, response in responses.items():
                if not str(code).startswith(("4", "5")):
                    continue
                if not response.get("description"):
                    response["description"] = DESCRIPTIONS.get(str(code), "Error.")
                if "content" not in response:
                    response["content"] = _envelope_content()
                if str(code) == "429":
                    response.setdefault("headers", {}).update(RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
    return result


# DRF's CharField refuses NUL characters and, unless blank is allowed, a value that is only
# whitespace (it strips before checking). Patterns say the same, so generated clients and fuzzers
# know; JSON Schema patterns match anywhere, hence the anchors. drf-spectacular offers "" as a
# separate `oneOf` branch when blank is allowed, so the patterns themselves need a character.
# Python's whitespace (what str.strip removes), spelled out: `\s` differs between Python, ECMA
# and the Rust regex engine a validator may use (\x1c-\x1f, \x85, \ufeff).
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]+$"
NO_NUL_OR_EMPTY = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^{WHITESPACE}\x00][^\x00]*$"


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema, plus what DRF's fields enforce on input and print on output."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        override = get_override(field, "field")
        if isinstance(override, dict):
            # extend_schema_field is the whole truth; drf-spectacular would set minLength 1 over it.
            schema.update(copy.deepcopy(override))
        if direction == "request" and _is_plain_text(field, schema):
            schema["pattern"] = NOT_BLANK if field.trim_whitespace and not field.allow_blank else NO_NUL
            if schema.get("default") == "":
                # A default must match its own schema (openapi-spec-validator checks).
                schema["pattern"] = NO_NUL_OR_EMPTY
        # A read-only ModelSerializer field loses `allow_blank`, but the column may hold "".
        if direction == "response" and "" not in schema.get("enum", [""]) and _model_field_blank(field):
            schema["enum"] = [*schema["enum"], ""]
        return schema


def _is_plain_text(field, schema: dict) -> bool:
    return (
        isinstance(field, serializers.CharField)
        and not isinstance(field, (serializers.RegexField, serializers.EmailField, serializers.URLField))
        and schema.get("type") == "string"
        and not {"pattern", "enum", "format"} & set(schema)
    )


def _model_field_blank(field) -> bool:
    if not isinstance(field, serializers.ChoiceField):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
