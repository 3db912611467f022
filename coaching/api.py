"""REST for coaching: profile, CV, training focus, improvements, trends, history, advice and the review queue."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from coaching import advice, cards, selectors, services
from coaching.models import Profile
from config.schema import WHITESPACE
from config.serializers import InputSerializer
from conversations.models import PracticeSession, PreparationType, SessionMode
from conversations.selectors import session_get


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = [
            "preparation_type",
            "meeting_subtype",
            "agenda",
            "tone",
            "role",
            "cv_text",
            "structured_profile",
            "story_bank",
            "training_focus",
            "updated_at",
        ]
        read_only_fields = ["cv_text", "structured_profile", "story_bank", "training_focus", "updated_at"]


class ProfileUpdateSerializer(InputSerializer):
    preparation_type = serializers.ChoiceField(choices=PreparationType.choices, required=False, allow_blank=True)
    meeting_subtype = serializers.CharField(max_length=100, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    tone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TrainingFocusSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, default=list)
    agenda_template = serializers.CharField(max_length=5000, allow_blank=True, default="")


class CVSerializer(InputSerializer):
    cv_text = serializers.CharField(max_length=50_000)
    # Accepted for the clients written against the seed; redaction always runs (see cv_ingest).
    redact_pii = serializers.BooleanField(default=True)


class ProfileView(GenericAPIView):
    serializer_class = ProfileSerializer

    def get(self, request):
        return Response(ProfileSerializer(services.profile_get_or_create(user=request.user)).data)

    @extend_schema(request=ProfileUpdateSerializer, responses={200: ProfileSerializer})
    def put(self, request):
        data = ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **data.validated_data)
        return Response(ProfileSerializer(profile).data)


class TrainingFocusView(GenericAPIView):
    serializer_class = TrainingFocusSerializer

    @extend_schema(request=TrainingFocusSerializer, responses={200: ProfileSerializer})
    def put(self, request):
        data = TrainingFocusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.training_focus_set(user=request.user, **data.validated_data)
        return Response(ProfileSerializer(profile).data)


class CVView(GenericAPIView):
    serializer_class = CVSerializer

    @extend_schema(
        request=CVSerializer,
        responses={
            200: inline_serializer(
                "CVStructured",
                {
                    "structured_profile": serializers.DictField(),
                    "story_bank": serializers.ListField(child=serializers.DictField()),
                    "redacted": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
            503: OpenApiResponse(description="The AI is unavailable"),
        },
    )
    def post(self, request):
        data = CVSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.cv_ingest(user=request.user, cv_text=data.validated_data["cv_text"])
        return Response(
            {
                "structured_profile": result.profile.structured_profile,
                "story_bank": result.profile.story_bank,
                "redacted": result.redacted,
            }
        )


class ImprovementsView(GenericAPIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "Improvements",
                {
                    "focus_areas": serializers.ListField(child=serializers.DictField()),
                    "recommendations": serializers.ListField(child=serializers.CharField()),
                    "recurring_weaknesses": serializers.ListField(child=serializers.CharField()),
                    "based_on_sessions": serializers.IntegerField(),
                    "updated_at": serializers.DateTimeField(allow_null=True),
                },
            )
        }
    )
    def get(self, request):
        return Response(selectors.improvements_get(user=request.user))


class TrendsQuerySerializer(InputSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100, help_text="How many sessions back.")


class TrendsView(GenericAPIView):
    @extend_schema(
        parameters=[TrendsQuerySerializer],
        responses={
            200: inline_serializer(
                "Trends",
                {
                    "dimension_trends": serializers.DictField(child=serializers.ListField()),
                    "overall": serializers.ListField(child=serializers.DictField()),
                    "improvement_velocity": serializers.FloatField(),
                    "velocity_window": serializers.IntegerField(),
                    "recurring_weaknesses": serializers.ListField(child=serializers.CharField()),
                    "metrics": serializers.DictField(),
                },
            )
        },
    )
    def get(self, request):
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.trends_get(user=request.user, limit=query.validated_data["limit"]))


_ORDERING_KEY = "-?(" + "|".join(sorted(selectors.ORDERINGS)) + ")"
_WS = f"[{WHITESPACE}]"


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 100,
        "pattern": rf"^({_WS}*,)*{_WS}*{_ORDERING_KEY}{_WS}*(,{_WS}*({_ORDERING_KEY})?{_WS}*)*$",
        "description": "Comma-separated keys, `-` first for descending: " + ", ".join(sorted(selectors.ORDERINGS)),
    }
)
class OrderingField(serializers.CharField):
    """The history's ordering: see HistoryQuerySerializer.validate_ordering."""


class HistoryQuerySerializer(InputSerializer):
    mode = serializers.ChoiceField(choices=SessionMode.choices, required=False, allow_blank=True)
    language = serializers.RegexField(r"^[a-z_-]{2,40}$", max_length=40, required=False, allow_blank=True)
    template = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="A slug or an id")
    preparation_type = serializers.ChoiceField(choices=PreparationType.choices, required=False, allow_blank=True)
    min_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    max_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    search = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ordering = OrderingField(max_length=100, required=False, default="-date")

    def get_fields(self):
        # `from` and `to` are Python keywords, so they cannot be declared as class attributes.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate_ordering(self, value: str) -> list[str]:
        keys = [key.strip() for key in value.split(",") if key.strip()]
        allowed = {*selectors.ORDERINGS, *(f"-{k}" for k in selectors.ORDERINGS)}
        if not keys or set(keys) - allowed:
            raise serializers.ValidationError(f"Use a comma-separated list of: {', '.join(sorted(allowed))}.")
        return keys


class HistoryItemSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="id")
    title = serializers.CharField(source="conversation.title")
    template = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    score = serializers.SerializerMethodField(help_text="The overall score, when the session was evaluated")
    rubric = serializers.SerializerMethodField()
    previous_attempt = serializers.UUIDField(source="previous_attempt_id", allow_null=True)
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = PracticeSession
        fields = [
            "session_id",
            "title",
            "mode",
            "language",
            "level",
            "template",
            "preparation_type",
            "meeting_subtype",
            "status",
            "user_turns",
            "focus",
            "previous_attempt",
            "score",
            "rubric",
            "created_at",
            "ended_at",
            "evaluation",
        ]
        read_only_fields = fields

    def _evaluated(self, session):
        evaluation = getattr(session, "evaluation", None)
        return evaluation if evaluation is not None and not evaluation.retryable else None

    def get_score(self, session) -> int | None:
        evaluation = self._evaluated(session)
        return evaluation.overall_score if evaluation else None

    def get_rubric(self, session) -> str | None:
        evaluation = self._evaluated(session)
        return evaluation.rubric if evaluation else None

    def get_evaluation(self, session) -> dict | None:
        evaluation = getattr(session, "evaluation", None)
        if evaluation is None:
            return None
        return {
            "evaluation_id": str(evaluation.id),
            "status": evaluation.status,
            "overall_score": evaluation.overall_score,
            "offline": evaluation.offline,
        }


class HistoryView(GenericAPIView):
    serializer_class = HistoryItemSerializer
    queryset = PracticeSession.objects.none()

    @extend_schema(parameters=[HistoryQuerySerializer], responses={200: HistoryItemSerializer(many=True)})
    def get(self, request):
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        sessions = selectors.history_list(
            user=request.user,
            mode=params.get("mode", ""),
            language=params.get("language", ""),
            template=params.get("template", ""),
            preparation_type=params.get("preparation_type", ""),
            date_from=params.get("from"),
            date_to=params.get("to"),
            min_score=params.get("min_score"),
            max_score=params.get("max_score"),
            search=params.get("search", ""),
            ordering=params["ordering"],
        )
        page = self.paginate_queryset(sessions)
        return self.get_paginated_response(HistoryItemSerializer(page, many=True).data)


# advice.text_normalise drops control characters and blank lines; something must be left.
_ADVICE_TEXT = rf"^[^\x00]*[^{WHITESPACE}\x00-\x08\x0b\x0c\x0e-\x1f\x7f][^\x00]*$"


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 20_000, "pattern": _ADVICE_TEXT})
class AdviceTextField(serializers.CharField):
    pass


class AdviceRequestSerializer(InputSerializer):
    text = AdviceTextField(max_length=20_000)
    goal = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    session_id = serializers.UUIDField(required=False, allow_null=True)

    def validate_text(self, value: str) -> str:
        if not advice.text_normalise(value):
            raise serializers.ValidationError("The text is empty once normalised.")
        return value


class AdviceView(GenericAPIView):
    serializer_class = AdviceRequestSerializer
    queryset = PracticeSession.objects.none()
    pagination_class = None

    @extend_schema(
        request=AdviceRequestSerializer,
        responses={
            200: inline_serializer(
                "Advice", {"advice": serializers.CharField(), "score": serializers.FloatField()}, many=True
            ),
            404: OpenApiResponse(description="No such session"),
            503: OpenApiResponse(description="The AI coach is unavailable"),
        },
    )
    def post(self, request):
        data = AdviceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        session = session_get(user=request.user, session_id=params["session_id"]) if params.get("session_id") else None
        items = advice.advice_get(user=request.user, text=params["text"], goal=params["goal"], session=session)
        return Response(items)


class ReviewCardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=["vocabulary", "mistake"])
    front = serializers.CharField(help_text="For a mistake, the learner's sentence with the error between **.")
    back = serializers.CharField(help_text="The correction and its explanation, or the reading and translation.")
    due = serializers.DateTimeField()
    variant = serializers.CharField(help_text="main, or extra for a mistake kind that keeps recurring")
    mistake_kind = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    lapses = serializers.IntegerField(help_text="Reviews rated again")
    leech = serializers.BooleanField(help_text="Failed four times or more: listed apart")


class ReviewDueSerializer(serializers.Serializer):
    results = ReviewCardSerializer(many=True)
    count = serializers.IntegerField()
    leeches = ReviewCardSerializer(many=True)


class ReviewRatingSerializer(InputSerializer):
    rating = serializers.ChoiceField(choices=[*cards.RATINGS, *(str(v.value) for v in cards.RATINGS.values())])


class ReviewDueView(GenericAPIView):
    serializer_class = ReviewDueSerializer
    pagination_class = None

    @extend_schema(responses={200: ReviewDueSerializer})
    def get(self, request):
        return Response(selectors.review_due_list(user=request.user))


class ReviewCardView(GenericAPIView):
    serializer_class = ReviewRatingSerializer

    @extend_schema(
        request=ReviewRatingSerializer,
        responses={200: ReviewCardSerializer, 400: OpenApiResponse(), 404: OpenApiResponse()},
    )
    def post(self, request, card_id):
        data = ReviewRatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = cards.card_review(user=request.user, card_id=card_id, rating=data.validated_data["rating"])
        return Response(selectors.review_card_get(user=request.user, card=card))
