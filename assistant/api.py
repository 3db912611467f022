"""REST for the assistant: thin doors onto assistant.services."""

from asgiref.sync import async_to_sync
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from assistant.services import assistant_history, assistant_reply, assistant_turn_submit
from config.exceptions import Forbidden
from config.serializers import InputSerializer
from conversations.api.fields import MessageTextField
from conversations.services.serializers import message_payload

HISTORY_LIMIT = 500


def assistant_message_payload(message) -> dict:
    """A message of an assistant conversation, with the tools the assistant called for it."""
    return {**message_payload(message), "tool_calls": message.meta.get("tool_calls", [])}


def _caller_check(request, user_id: str) -> None:
    # Paths name the user for compatibility with the seed's API; only the caller's own is allowed.
    if str(request.user.pk) != user_id:
        raise Forbidden("You can only use your own assistant.")


class ChatSerializer(InputSerializer):
    message = MessageTextField()
    conversation_id = serializers.UUIDField(required=False, allow_null=True)
    client_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


class HistoryQuerySerializer(InputSerializer):
    after_seq = serializers.IntegerField(min_value=0, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=HISTORY_LIMIT, default=100)


class ToolCallSerializer(serializers.Serializer):
    name = serializers.CharField()
    arguments = serializers.DictField()
    round = serializers.IntegerField()
    result = serializers.DictField(required=False)
    error = serializers.CharField(required=False)


ChatResponse = inline_serializer(
    "AssistantChatResponse",
    {
        "conversation_id": serializers.UUIDField(),
        "message_id": serializers.UUIDField(),
        "response": serializers.CharField(),
        "offline": serializers.BooleanField(),
        "tool_calls": ToolCallSerializer(many=True),
    },
)


class AssistantChatView(GenericAPIView):
    serializer_class = ChatSerializer

    @extend_schema(
        request=ChatSerializer,
        responses={
            200: ChatResponse,
            403: OpenApiResponse(description="user_id is not you"),
            404: OpenApiResponse(description="No such assistant conversation of yours"),
            409: OpenApiResponse(description="client_id was used for another message"),
            503: OpenApiResponse(description="The AI is unavailable"),
        },
    )
    def post(self, request, user_id):
        _caller_check(request, user_id)
        data = ChatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turn = assistant_turn_submit(
            user=request.user,
            content=data.validated_data["message"],
            conversation_id=data.validated_data.get("conversation_id"),
            client_id=data.validated_data.get("client_id"),
        )
        reply = async_to_sync(assistant_reply)(user=request.user, turn=turn)
        return Response(
            {
                "conversation_id": str(turn.conversation.pk),
                "message_id": str(reply.id),
                "response": reply.content,
                "offline": bool(reply.meta.get("offline")),
                "tool_calls": reply.meta.get("tool_calls", []),
            }
        )


class AssistantHistoryView(GenericAPIView):
    @extend_schema(
        parameters=[HistoryQuerySerializer],
        responses={
            200: inline_serializer(
                "AssistantHistory",
                {
                    "conversation_id": serializers.UUIDField(),
                    "messages": serializers.ListField(child=serializers.DictField()),
                },
            ),
            403: OpenApiResponse(description="user_id is not you"),
            404: OpenApiResponse(description="No such assistant conversation of yours"),
        },
    )
    def get(self, request, user_id, conversation_id):
        _caller_check(request, user_id)
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        messages = assistant_history(user=request.user, conversation_id=conversation_id, **query.validated_data)
        return Response(
            {"conversation_id": conversation_id, "messages": [assistant_message_payload(m) for m in messages]}
        )
