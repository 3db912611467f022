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
