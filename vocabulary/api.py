from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import InputSerializer
from language.japanese.readings import KANA_READING
from vocabulary import export, selectors, services
from vocabulary.models import Mastery, ReadingCorrection, ReviewRating, VocabularyItem


class VocabularyItemSerializer(serializers.ModelSerializer):
    source_message = serializers.UUIDField(source="source_message_id", read_only=True, allow_null=True)

    class Meta:
        model = VocabularyItem
        fields = [
            "id",
            "phrase",
            "reading",
            "translation",
            "context_sentence",
            "source_message",
            "source",
            "language",
            "mastery",
            "due_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VocabularyCreateSerializer(InputSerializer):
    phrase = serializers.CharField(max_length=200)
    translation = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reading = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    context_sentence = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    source_message = serializers.UUIDField(required=False, allow_null=True, default=None)
    language = serializers.CharField(max_length=32)


class VocabularyUpdateSerializer(InputSerializer):
    mastery = serializers.ChoiceField(choices=Mastery.choices, required=False)
    translation = serializers.CharField(max_length=500, required=False, allow_blank=True)
    reading = serializers.CharField(max_length=200, required=False, allow_blank=True)
    context_sentence = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class VocabularyFilterSerializer(InputSerializer):
    language = serializers.CharField(max_length=32, required=False)
    mastery = serializers.ChoiceField(choices=Mastery.choices, required=False)
    search = serializers.CharField(max_length=200, required=False)


class VocabularyExportSerializer(VocabularyFilterSerializer):
    format = serializers.ChoiceField(choices=["csv", "anki"], default="csv")


_RATING_WORDS = [*(str(value) for value in ReviewRating.values), *(label.lower() for label in ReviewRating.labels)]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "enum": list(ReviewRating.values)},
            {"type": "string", "enum": _RATING_WORDS},
        ],
        "description": "1-4, or again | hard | good | easy.",
    }
)
class RatingField(serializers.ChoiceField):
    """A review rating as a number or a word; vocabulary.services._rating_parse reads both."""


class VocabularyReviewSerializer(InputSerializer):
    rating = RatingField(choices=[*ReviewRating.values, *_RATING_WORDS])


ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
NOT_FOUND = OpenApiResponse(description="No such item, or another user's")


class VocabularyListView(generics.ListAPIView):
    serializer_class = VocabularyItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VocabularyItem.objects.none()
        filters = VocabularyFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.vocabulary_list(user=self.request.user, **filters.validated_data)

    @extend_schema(parameters=[VocabularyFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=VocabularyCreateSerializer,
        responses={
            201: VocabularyItemSerializer,
            200: OpenApiResponse(VocabularyItemSerializer, description="The phrase was already kept"),
            404: OpenApiResponse(description="source_message is not in one of your conversations"),
        },
    )
    def post(self, request):
        data = VocabularyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item, created = services.vocabulary_add(user=request.user, **data.validated_data)
        return Response(
            VocabularyItemSerializer(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class VocabularyDueView(generics.ListAPIView):
    serializer_class = VocabularyItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VocabularyItem.objects.none()
        return selectors.vocabulary_due(user=self.request.user, limit=None)


class VocabularyDetailView(APIView):
    @extend_schema(parameters=[ITEM_ID], responses={200: VocabularyItemSerializer, 404: NOT_FOUND})
    def get(self, request, item_id):
        item = selectors.vocabulary_get(user=request.user, item_id=item_id)
        return Response(VocabularyItemSerializer(item).data)

    @extend_schema(
        parameters=[ITEM_ID],
        request=VocabularyUpdateSerializer,
        responses={200: VocabularyItemSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, item_id):
        item = selectors.vocabulary_get(user=request.user, item_id=item_id)
        data = VocabularyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.vocabulary_update(item=item, **data.validated_data)
        return Response(VocabularyItemSerializer(item).data)

    @extend_schema(parameters=[ITEM_ID], responses={204: None, 404: NOT_FOUND})
    def delete(self, request, item_id):
        services.vocabulary_delete(item=selectors.vocabulary_get(user=request.user, item_id=item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VocabularyReviewView(APIView):
    @extend_schema(
        parameters=[ITEM_ID],
        request=VocabularyReviewSerializer,
        responses={200: VocabularyItemSerializer, 404: NOT_FOUND},
    )
    def post(self, request, item_id):
        item = selectors.vocabulary_get(user=request.user, item_id=item_id)
        data = VocabularyReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.vocabulary_review(item=item, rating=data.validated_data["rating"])
        return Response(VocabularyItemSerializer(item).data)


class VocabularyExportView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # DRF reads ?format= as a renderer override and would answer ?format=csv with a 404; here
        # it names the file format, so negotiation is skipped and errors are rendered as JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[VocabularyExportSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, or with format=anki an .apkg deck"),
            (200, "application/apkg"): OpenApiResponse(OpenApiTypes.BINARY),
            400: OpenApiResponse(description="Unknown format or filter value"),
        },
    )
    def get(self, request):
        query = VocabularyExportSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        file_format = query.validated_data.pop("format")
        items = selectors.vocabulary_list(user=request.user, **query.validated_data)
        if file_format == "anki":
            response = HttpResponse(
                export.anki_export(items, deck_name="Parley vocabulary"), content_type="application/apkg"
            )
            response["Content-Disposition"] = 'attachment; filename="parley-vocabulary.apkg"'
        else:
            response = HttpResponse(export.csv_export(items), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="parley-vocabulary.csv"'
        return response


READING_LANGUAGES = [("japanese", "Japanese")]  # the languages with readings and a dictionary
LANGUAGE_JAPANESE = serializers.ChoiceField(
    choices=READING_LANGUAGES, help_text="Readings and the dictionary are for Japanese only."
)


class AnnotateSerializer(InputSerializer):
    text = serializers.CharField(max_length=5000, trim_whitespace=False, allow_blank=True)
    language = LANGUAGE_JAPANESE

    def validate_text(self, value: str) -> str:
        # JSON may escape a lone surrogate ("\ud800"); it is no character and could not be sent back.
        if any("\ud800" <= char <= "\udfff" for char in value):
            raise serializers.ValidationError("Text must be valid Unicode, with no lone surrogates.")
        return value


class SegmentSerializer(serializers.Serializer):
    text = serializers.CharField()
    reading = serializers.CharField(required=False, help_text="Hiragana; only on a segment holding kanji.")
    word = serializers.IntegerField(required=False, help_text="Index into words; absent between words.")


class WordSerializer(serializers.Serializer):
    text = serializers.CharField()
    base = serializers.CharField(help_text="The form to look up in the dictionary (食べ → 食べる).")


class AnnotationSerializer(serializers.Serializer):
    segments = SegmentSerializer(many=True, help_text="Joined, they give the text back.")
    words = WordSerializer(many=True)
    romaji = serializers.CharField(help_text="Modified Hepburn.")

    def to_representation(self, annotation):
        return {
            "segments": [
                {
                    "text": segment.text,
                    **({"reading": segment.reading} if segment.reading else {}),
                    **({"word": segment.word} if segment.word is not None else {}),
                }
                for segment in annotation.segments
            ],
            "words": [{"text": word.text, "base": word.base} for word in annotation.words],
            "romaji": annotation.romaji,
        }


class DictionaryQuerySerializer(InputSerializer):
    q = serializers.CharField(max_length=200, help_text="Kanji, kana, a conjugated form or an English gloss.")
    language = LANGUAGE_JAPANESE
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class MoraSerializer(serializers.Serializer):
    kana = serializers.CharField()
    high = serializers.BooleanField()


class AccentSerializer(serializers.Serializer):
    nucleus = serializers.IntegerField(help_text="0: flat; n: the pitch falls after the n-th mora")
    next_high = serializers.BooleanField(help_text="Whether a particle after the word stays high")
    morae = MoraSerializer(many=True)


class EntrySerializer(serializers.Serializer):
    word = serializers.CharField()
    reading = serializers.CharField()
    glosses = serializers.ListField(child=serializers.CharField())
    pos = serializers.ListField(child=serializers.CharField(), help_text="Parts of speech, in English.")
    accent = serializers.SerializerMethodField(help_text="Tokyo pitch accent, when known")

    @extend_schema_field(AccentSerializer(allow_null=True))
    def get_accent(self, entry) -> dict | None:
        accent = selectors.word_accent(word=entry.word, reading=entry.reading)
        return AccentSerializer(accent).data if accent else None


DictionaryResponseSerializer = inline_serializer("DictionaryResponse", {"entries": EntrySerializer(many=True)})


class ReadingCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReadingCorrection
        fields = ["id", "word", "reading", "language", "created_at", "updated_at"]
        read_only_fields = fields


class ReadingCorrectionCreateSerializer(InputSerializer):
    word = serializers.CharField(max_length=50)
    reading = serializers.RegexField(
        rf"^{KANA_READING.pattern}$",
        max_length=100,
        help_text="Hiragana or katakana.",
        error_messages={"invalid": services.READING_INVALID},
    )
    language = LANGUAGE_JAPANESE


class ReadingSettingsSerializer(InputSerializer):
    furigana = serializers.BooleanField(required=False)
    romaji = serializers.BooleanField(required=False)


ReadingSettingsResponseSerializer = inline_serializer(
    "ReadingSettings", {"furigana": serializers.BooleanField(), "romaji": serializers.BooleanField()}
)
CORRECTION_ID = OpenApiParameter("correction_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class AnnotateView(APIView):
    @extend_schema(request=AnnotateSerializer, responses={200: AnnotationSerializer})
    def post(self, request):
        data = AnnotateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = selectors.text_annotate(user=request.user, text=data.validated_data["text"])
        return Response(AnnotationSerializer(annotation).data)


class DictionaryView(APIView):
    @extend_schema(parameters=[DictionaryQuerySerializer], responses={200: DictionaryResponseSerializer})
    def get(self, request):
        query = DictionaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = selectors.dictionary_lookup(q=query.validated_data["q"], limit=query.validated_data["limit"])
        return Response({"entries": EntrySerializer(entries, many=True).data})


class ReadingCorrectionListView(APIView):
    @extend_schema(responses={200: ReadingCorrectionSerializer(many=True)})
    def get(self, request):
        return Response(
            ReadingCorrectionSerializer(selectors.reading_correction_list(user=request.user), many=True).data
        )

    @extend_schema(request=ReadingCorrectionCreateSerializer, responses={201: ReadingCorrectionSerializer})
    def post(self, request):
        data = ReadingCorrectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.reading_correct(user=request.user, **data.validated_data)
        return Response(ReadingCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


class ReadingCorrectionDetailView(APIView):
    @extend_schema(
        parameters=[CORRECTION_ID],
        responses={204: None, 404: OpenApiResponse(description="No such correction, or another user's")},
    )
    def delete(self, request, correction_id):
        correction = selectors.reading_correction_get(user=request.user, correction_id=correction_id)
        services.reading_correction_delete(correction=correction)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadingSettingsView(APIView):
    @extend_schema(responses={200: ReadingSettingsResponseSerializer})
    def get(self, request):
        return Response(selectors.reading_settings_get(user=request.user))

    @extend_schema(request=ReadingSettingsSerializer, responses={200: ReadingSettingsResponseSerializer})
    def put(self, request):
        data = ReadingSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.reading_settings_update(user=request.user, **data.validated_data))
