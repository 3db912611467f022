"""The published OpenAPI schema is valid OpenAPI (what client generators and CI check it with)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_passes_openapi_spec_validator():
    validate(schema())


def test_the_schema_names_what_responses_carry():
    components = schema()["components"]["schemas"]

    assert "opening_message" in components["StartedSession"]["properties"]
    assert "id" in components["Person"]["properties"]


def test_the_schema_says_what_the_server_accepts_where_json_schema_can():
    """Positive cases generated from the schema are accepted (what schemathesis checks)."""
    import re

    components = schema()["components"]["schemas"]
    reading = components["ReadingCorrectionCreateRequest"]["properties"]["reading"]
    language_ref = components["SessionStartRequest"]["properties"]["language"]["allOf"][0]["$ref"]
    language = components[language_ref.rsplit("/", 1)[1]]

    assert re.fullmatch(reading["pattern"], "きんかくじ") and not re.fullmatch(reading["pattern"], "000")
    assert "japanese" in language["enum"] and "qjp" not in language["enum"]
