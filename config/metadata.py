"""What an OPTIONS request on the API answers."""

from rest_framework.metadata import BaseMetadata


class ApiMetadata(BaseMetadata):
    """The view's name and media types, with the Allow header DRF adds.

    DRF's SimpleMetadata also describes each field by building the view's serializer (and, for PUT,
    by fetching the object), which views that read their input with a serializer of their own do
    not support; the OpenAPI schema at /api/schema/ documents the fields instead.
    """

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
