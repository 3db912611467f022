from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from pydantic import BaseModel
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import InputSerializer
from templates import selectors
from templates.models import ConversationTemplate, Language, Level, Mode
from templates.schema import Persona, StarterTurn, VocabHint


def _openapi(model: type[BaseModel]) -> dict:
    """pydantic's JSON schema for a flat model, optional fields written the OpenAPI 3.0 way."""
    schema = model.model_json_schema(mode="serialization")
    for field in schema["properties"].values():
        options = field.pop("anyOf", None)
        if options:
            field.pop("default", None)
            field.update(next(option for option in options if option.get("type") != "null"))
    return schema


@extend_schema_field(_openapi(Persona))
class PersonaField(serializers.JSONField):
    pass


@extend_schema_field({"type": "array", "items": _openapi(StarterTurn)})
class StarterTurnsField(serializers.JSONField):
    pass


@extend_schema_field({"type": "array", "items": _openapi(VocabHint)})
class VocabHintsField(serializers.JSONField):
    pass


class TemplateSerializer(serializers.ModelSerializer):
    persona = PersonaField(read_only=True)
    starter_turns = StarterTurnsField(read_only=True)
    vocab_hints = VocabHintsField(read_only=True)
    goals = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ConversationTemplate
        fields = [
            "id",
            "slug",
            "language",
            "level",
            "title",
            "topic",
            "description",
            "persona",
            "starter_turns",
            "vocab_hints",
            "goals",
            "mode",
            "preparation_type",
            "meeting_subtype",
        ]
        read_only_fields = fields


class TemplateLookupSerializer(InputSerializer):
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)


class TemplateFilterSerializer(TemplateLookupSerializer):
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, allow_blank=True)
    topic = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PublicCatalogueMixin:
    # The catalogue is public: no authentication at all, so a stale token never turns a read into a 401.
    authentication_classes: list = []
    permission_classes = [AllowAny]


class TemplateListView(PublicCatalogueMixin, generics.ListAPIView):
    serializer_class = TemplateSerializer
    filter_backends: list = []

    @extend_schema(parameters=[TemplateFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = TemplateFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.template_list(**query.validated_data)


class TemplateDetailView(PublicCatalogueMixin, APIView):
    @extend_schema(
        parameters=[TemplateLookupSerializer],
        responses={200: TemplateSerializer, 404: OpenApiResponse(description="No active template with this slug")},
    )
    def get(self, request, slug: str):
        query = TemplateLookupSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(TemplateSerializer(selectors.template_get(slug=slug, **query.validated_data)).data)
