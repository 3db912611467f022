"""REST for practice sessions: thin doors onto conversations.services.sessions."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.serializers import InputSerializer
from conversations import selectors
from conversations.api.fields import MessageTextField, PracticeLanguageField
from conversations.events import user_send_sync
from conversations.exceptions import InvalidContent
from conversations.models import PracticeSession, PreparationType, SessionMode, SessionStatus, Strictness
from conversations.services import sessions as session_services
from conversations.services.serializers import ai_message_frame, message_frame, message_payload
from conversations.services.turn_control import reply_regenerate, reply_stop, turn_edit
from conversations.services.turns import TurnAnswered, turn_answer, turn_take


class SessionStartSerializer(InputSerializer):
    mode = serializers.ChoiceField(choices=SessionMode.choices, default=SessionMode.LANGUAGE)
    # Without a template: japanese, beginner. With one, the template decides; these only narrow
    # which template a slug shared by several languages or levels names.
    language = PracticeLanguageField(
        required=False,
        default=empty,
        help_text="japanese when there is no template; with a template, it comes from the template.",
    )
    level = serializers.RegexField(
        r"^[a-z_-]{2,40}$",
        max_length=40,
        required=False,
        help_text="beginner when there is no template; with a template, it comes from the template.",
    )
    persona = serializers.CharField(max_length=200, default="friendly")
    strictness = serializers.ChoiceField(choices=Strictness.choices, default=Strictness.BALANCED)
    template = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    preparation_type = serializers.ChoiceField(choices=PreparationType.choices, required=False, allow_blank=True)
    meeting_subtype = serializers.CharField(max_length=100, required=False, allow_blank=True)
    context = serializers.DictField(required=False, help_text="Free-form details; NUL characters are dropped.")
    focus = serializers.ChoiceField(
        choices=["due"],
        required=False,
        allow_blank=True,
        help_text="due: a session seeded from the due review cards and recurring mistake kinds",
    )

    def validate_context(self, value):
        if len(str(value)) > 20_000:
            raise serializers.ValidationError("The context is too large (at most 20,000 characters).")
        # PostgreSQL's jsonb cannot store NUL (the insert fails), and a NUL means nothing in a prompt.
        return _without_nul(value)


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


class TranscriptMessageSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    role = serializers.CharField()
    content = serializers.CharField()
    seq = serializers.IntegerField()
    state = serializers.CharField()
    offline = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class SessionSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="id", read_only=True)
    conversation_id = serializers.UUIDField(read_only=True)
    template = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    title = serializers.CharField(source="conversation.title", read_only=True)
    previous_attempt = serializers.UUIDField(source="previous_attempt_id", read_only=True, allow_null=True)

    class Meta:
        model = PracticeSession
        fields = [
            "session_id",
            "conversation_id",
            "title",
            "mode",
            "language",
            "level",
            "persona",
            "strictness",
            "template",
            "preparation_type",
            "meeting_subtype",
            "context",
            "status",
            "flag_variant",
            "user_turns",
            "summary",
            "focus",
            "targets",
            "previous_attempt",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields


class GoalSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField(help_text="What the learner should do, in English.")
    reached = serializers.BooleanField()


class ScenarioSerializer(serializers.Serializer):
    goals = GoalSerializer(many=True, help_text="The scenario's goals; free-form sessions get the small-talk goals.")
    finished = serializers.BooleanField(help_text="The partner closed the scenario.")


class HintSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="A reply the learner could send now, in the session's language.")
    translation = serializers.CharField()
    reading = serializers.CharField(required=False, help_text="Kana reading, for Japanese.")


class HintsSerializer(serializers.Serializer):
    hints = HintSerializer(many=True)


class SessionDetailSerializer(SessionSerializer):
    transcript = serializers.SerializerMethodField()
    scenario = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "transcript", "scenario"]
        read_only_fields = fields

    def get_transcript(self, session) -> list[dict]:
        return [message_payload(m) for m in selectors.transcript_get(session=session)]

    @extend_schema_field(ScenarioSerializer)
    def get_scenario(self, session) -> dict:
        return selectors.session_scenario(session=session)


class StartedSessionSerializer(SessionDetailSerializer):
    """For the schema: a started session, with the partner's opening turn when the template has one."""

    opening_message = TranscriptMessageSerializer(allow_null=True, read_only=True)

    class Meta(SessionDetailSerializer.Meta):
        fields = [*SessionDetailSerializer.Meta.fields, "opening_message"]
        read_only_fields = fields


class TurnSerializer(InputSerializer):
    message = MessageTextField()
    client_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


class MistakeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    message_id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    type = serializers.CharField()
    severity = serializers.CharField()
    original = serializers.CharField()
    correction = serializers.CharField()
    explanation = serializers.CharField()
    created_at = serializers.DateTimeField()


TurnResponse = inline_serializer(
    "TurnResponse",
    {
        "message_id": serializers.UUIDField(),
        "seq": serializers.IntegerField(),
        "ai_message_id": serializers.UUIDField(allow_null=True),
        "ai_response": serializers.CharField(allow_null=True),
        "turn_number": serializers.IntegerField(),
        "offline": serializers.BooleanField(),
        "mistakes": MistakeSerializer(many=True),
        "vocabulary": serializers.ListField(child=serializers.DictField()),
    },
)


class SessionListView(GenericAPIView):
    serializer_class = SessionSerializer
    queryset = PracticeSession.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=SessionStatus.values, required=False)],
        responses={200: SessionSerializer(many=True)},
    )
    def get(self, request):
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in SessionStatus.values:
            raise serializers.ValidationError({"status": [f"Must be one of {', '.join(SessionStatus.values)}."]})
        page = self.paginate_queryset(selectors.session_list(user=request.user, status=status_filter))
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(
        request=SessionStartSerializer,
        responses={201: StartedSessionSerializer, 404: OpenApiResponse(description="No such template")},
    )
    def post(self, request):
        data = SessionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = session_services.session_start(user=request.user, **data.validated_data)
        opening = selectors.transcript_get(session=session).first()
        body = SessionDetailSerializer(session).data
        body["opening_message"] = message_payload(opening) if opening else None
        return Response(body, status=status.HTTP_201_CREATED)


class SessionDetailView(GenericAPIView):
    serializer_class = SessionDetailSerializer

    @extend_schema(responses={200: SessionDetailSerializer, 404: OpenApiResponse()})
    def get(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        return Response(SessionDetailSerializer(session).data)

    @extend_schema(
        responses={204: None, 404: OpenApiResponse()},
        description="Archives the session: it stays readable (status `archived`) and leaves the default lists.",
    )
    def delete(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        session_services.session_archive(session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionMessagesView(GenericAPIView):
    serializer_class = TurnSerializer

    @extend_schema(
        request=TurnSerializer,
        responses={
            201: TurnResponse,
            200: TurnResponse,
            409: OpenApiResponse(description="The session has ended, or the previous reply is still being written"),
            503: OpenApiResponse(description="The AI partner is unavailable; the message is kept"),
        },
    )
    def post(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        data = TurnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            turn = turn_take(
                session=session, content=data.validated_data["message"], client_id=data.validated_data.get("client_id")
            )
        except InvalidContent as exc:
            # The service's argument is `content`; this door's field is `message` (API.md).
            fields = {"message": exc.fields["content"]} if exc.fields else None
            raise InvalidContent(exc.message, fields=fields) from exc
        return _turn_response(turn)


def _turn_response(turn: TurnAnswered, *, status_code=None) -> Response:
    """The turn, its reply and findings; 201 for a new turn, 200 for a resent one."""
    ai_message = turn.ai_message
    body = {
        "message_id": str(turn.user_message.id),
        "seq": turn.user_message.seq,
        "ai_message_id": str(ai_message.id) if ai_message else None,
        "ai_response": ai_message.content if ai_message else None,
        "turn_number": turn.turn_number,
        "offline": bool(ai_message and ai_message.meta.get("offline")),
        "mistakes": turn.mistakes,
        "vocabulary": turn.vocabulary,
    }
    if status_code is None:
        status_code = status.HTTP_201_CREATED if turn.created else status.HTTP_200_OK
    return Response(body, status=status_code)


def _replaced_announce(user, change) -> None:
    """The user's open tabs drop the replaced messages (each comes as a `superseded` message frame)."""
    for message in change.replaced:
        user_send_sync(user.id, message_frame(message))


class SessionStopView(GenericAPIView):
    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(description="The reply as stored: `state` is `stopped`, `content` the text so far"),
            409: OpenApiResponse(description="`nothing_to_stop`: no reply is being written"),
        },
        description="Stop the partner's reply being written. It keeps the text so far and is never marked complete.",
    )
    def post(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        reply = reply_stop(session=session)
        user_send_sync(request.user.id, ai_message_frame(reply, session_id=session.id))
        return Response(message_payload(reply))


class SessionRegenerateView(GenericAPIView):
    @extend_schema(
        request=None,
        responses={
            200: TurnResponse,
            409: OpenApiResponse(description="`nothing_to_regenerate`, `turn_in_progress` or `session_closed`"),
            503: OpenApiResponse(description="The AI partner is unavailable"),
        },
        description="Write the last reply again: the old one becomes `superseded`; the turn's mistakes stand.",
    )
    def post(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        change = reply_regenerate(session=session)
        _replaced_announce(request.user, change)
        turn = turn_answer(session=session, turn=change.turn, find_mistakes=False)
        return _turn_response(turn, status_code=status.HTTP_200_OK)


class SessionMessageEditView(GenericAPIView):
    serializer_class = TurnSerializer

    @extend_schema(
        request=TurnSerializer,
        responses={
            201: TurnResponse,
            200: OpenApiResponse(TurnResponse, description="Already edited with this client_id"),
            409: OpenApiResponse(
                description="`not_editable` (not the last turn), `turn_in_progress`, `session_closed`"
            ),
            503: OpenApiResponse(description="The AI partner is unavailable; the new turn is kept"),
        },
        description=(
            "Replace the learner's last turn and its reply with new text: both become `superseded`, the new "
            "turn is answered and analysed (the old turn's mistakes are dropped)."
        ),
    )
    def post(self, request, session_id, message_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        data = TurnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = turn_edit(
            session=session,
            message_id=message_id,
            content=data.validated_data["message"],
            client_id=data.validated_data.get("client_id"),
        )
        _replaced_announce(request.user, change)
        return _turn_response(turn_answer(session=session, turn=change.turn))


class SessionEndView(GenericAPIView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "SessionEnded",
                {
                    "session_id": serializers.UUIDField(),
                    "status": serializers.CharField(),
                    "evaluation_id": serializers.UUIDField(allow_null=True),
                    "reason": serializers.CharField(required=False),
                },
            ),
            409: OpenApiResponse(description="The session is archived"),
        },
    )
    def post(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        finished = session_services.session_finish(session=session)
        body = {
            "session_id": str(finished.session.id),
            "status": finished.session.status,
            "evaluation_id": finished.evaluation_id,
        }
        if finished.reason:
            body["reason"] = finished.reason
        return Response(body)


class SessionHintsView(GenericAPIView):
    serializer_class = HintsSerializer

    @extend_schema(
        summary="Help me reply",
        description="2 or 3 replies that fit where the session is in its scenario, at its level. "
        "Empty once the scenario is over. Another user's session is a 404.",
        responses={200: HintsSerializer, 404: OpenApiResponse()},
    )
    def get(self, request, session_id):
        session = selectors.session_get(user=request.user, session_id=session_id)
        return Response({"hints": selectors.session_hints(session=session)})
