"""The base of every serializer that reads a request: JSON values must already have the right type."""

import re
from collections.abc import Mapping

from django.http import QueryDict
from rest_framework import serializers

_JSON_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _json_type(value) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _expected(field) -> tuple[tuple[type, ...], str] | None:
    """The JSON types a field takes, and how to name them; None when any value will do."""
    if isinstance(field, serializers.BooleanField):
        return (bool,), "a boolean"
    if isinstance(field, serializers.IntegerField):
        return (int,), "an integer"
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        return (int, float), "a number"
    if isinstance(field, serializers.ChoiceField):
        types = tuple({type(choice) for choice in field.choices})
        return types, " or ".join(sorted(_JSON_TYPE_NAMES.get(t, t.__name__) for t in types))
    if isinstance(
        field,
        (serializers.CharField, serializers.UUIDField, serializers.DateField, serializers.DateTimeField),
    ):
        return (str,), "a string"
    if isinstance(field, serializers.ListField):
        return (list,), "a list"
    if isinstance(field, (serializers.DictField, serializers.Serializer)):
        return (dict,), "an object"
    return None


def _type_errors(field, value) -> list[str]:
    if value is None:
        return []  # the field's own allow_null check says whether null is fine
    expected = _expected(field)
    # bool is an int in Python, never in JSON.
    if expected and (type(value) not in expected[0] or (isinstance(value, bool) and bool not in expected[0])):
        return [f"Expected {expected[1]}, not {_json_type(value)}."]
    if isinstance(field, serializers.ListField):
        for index, item in enumerate(value):
            if errors := _type_errors(field.child, item):
                return [f"Item {index}: {errors[0]}"]
    if isinstance(field, serializers.DictField):
        for key, item in value.items():
            if errors := _type_errors(field.child, item):
                return [f"{key}: {errors[0]}"]
    return _length_errors(field, value)


def _query_errors(field, value) -> list[str]:
    # DRF's IntegerField reads "5.0" as 5; in a query string that is not an integer ("" is absent).
    if isinstance(field, serializers.IntegerField) and isinstance(value, str) and value and not is_query_int(value):
        return ["A valid integer is required."]
    # Python's date.fromisoformat (under DRF's DateField) also reads 20240131; the API's dates are YYYY-MM-DD.
    date = isinstance(field, serializers.DateField) and isinstance(value, str) and value
    if date and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return ["Date has wrong format. Use YYYY-MM-DD."]
    return _length_errors(field, value)


def is_query_int(value: str) -> bool:
    """Whether a query-string value is an integer as written (what int() reads, digits only)."""
    return re.fullmatch(r"\s*[+-]?[0-9]+\s*", value) is not None


def _length_errors(field, value) -> list[str]:
    # DRF strips whitespace before checking max_length; the raw text must fit too, as the schema says.
    max_length = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and isinstance(value, str) and max_length and len(value) > max_length:
        return [f"Ensure this field has no more than {max_length} characters."]
    return []


# A serializer for a request body or query string. DRF turns 0 into "0", 1 into True and an
# integer into a UUID; a JSON client that sends the wrong type has a bug, so here it is a 400
# naming the field. Query strings are all text, so only their length and integers are checked. (No docstring:
# drf-spectacular would copy it into the description of every request schema.)
class InputSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                if isinstance(data, QueryDict):
                    problems = _query_errors(field, data.get(name))
                else:
                    problems = _type_errors(field, data[name])
                if problems:
                    errors[name] = problems
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
