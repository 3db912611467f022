"""REST for conversations between people: lists, history, sending, read receipts, groups.

Thin doors onto conversations.services.messaging; the socket calls the same services.
"""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled as DRFThrottled
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.serializers import InputSerializer
from conversations import selectors
from conversations.api.fields import MessageTextField
from conversations.models import Membership, Message
from conversations.services import messaging
from conversations.services.presence import online_ids
from conversations.services.serializers import message_payload


def member_payload(membership: Membership, online: set[str]) -> dict:
    user = membership.user
    return {
        "user_id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "role": membership.role,
        "is_online": str(user.id) in online,
        "last_seen": user.last_seen.isoformat() if user.last_seen else None,
        # Each member's receipt watermarks, so a client can draw delivered and read ticks on load.
        "delivered_up_to_seq": membership.delivered_up_to_seq,
        "read_up_to_seq": membership.read_up_to_seq,
    }


def conversation_payload(membership: Membership, online: set[str]) -> dict:
    conversation = membership.conversation
    last = conversation.last_message
    return {
        "id": str(conversation.id),
        "conversation_id": str(conversation.id),
        "kind": conversation.kind,
        "name": conversation.title,
        "created_at": conversation.created_at.isoformat(),
        "last_message_at": conversation.last_message_at.isoformat() if conversation.last_message_at else None,
        "last_message": message_payload(last) if last else None,
        "unread_count": membership.unread_count,
        "read_up_to_seq": membership.read_up_to_seq,
        "members": [member_payload(m, online) for m in conversation.active_memberships],
    }


def conversation_payloads(memberships: list[Membership]) -> list[dict]:
    selectors.last_messages_attach(memberships=memberships)
    online = online_ids(user_ids={m.user_id for ms in memberships for m in ms.conversation.active_memberships})
    return [conversation_payload(membership, online) for membership in memberships]


def conversation_response(*, user, conversation_id, status_code=status.HTTP_200_OK) -> Response:
    membership = selectors.people_conversation_get(user=user, conversation_id=conversation_id)
    return Response(conversation_payloads([membership])[0], status=status_code)


class MessagingView(GenericAPIView):
    """Turns the message throttle into DRF's 429 with Retry-After."""

    def handle_exception(self, exc):
        if isinstance(exc, messaging.MessageThrottled):
            exc = DRFThrottled(wait=math.ceil(exc.retry_after), detail=exc.message)
        return super().handle_exception(exc)


class MessageSerializer(serializers.Serializer):
    """The shape of conversations.services.serializers.message_payload, for the schema."""

    id = serializers.UUIDField()
    conversation_id = serializers.UUIDField()
    sender_id = serializers.UUIDField(allow_null=True)
    role = serializers.CharField()
    content = serializers.CharField()
    seq = serializers.IntegerField()
    state = serializers.CharField()
    client_id = serializers.CharField(allow_null=True)
    offline = serializers.BooleanField()
    fallback = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PeopleConversationSerializer(serializers.Serializer):
    """The shape of conversation_payload, for the schema."""

    id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()
    unread_count = serializers.IntegerField()
    last_message = MessageSerializer(allow_null=True)
    members = serializers.ListField(child=serializers.DictField())


HistoryResponse = inline_serializer(
    "MessageHistory",
    {
        "results": MessageSerializer(many=True),
        "previous": serializers.URLField(allow_null=True),
        "next": serializers.URLField(allow_null=True),
    },
)


class ConversationListView(MessagingView):
    queryset = Membership.objects.none()

    @extend_schema(responses={200: PeopleConversationSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(selectors.people_conversation_list(user=request.user))
        return self.get_paginated_response(conversation_payloads(page))


class HistoryQuerySerializer(InputSerializer):
    before_seq = serializers.IntegerField(min_value=1, required=False)
    after_seq = serializers.IntegerField(min_value=0, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=selectors.HISTORY_LIMIT_MAX, default=50)


class SendSerializer(InputSerializer):
    content = MessageTextField()
    client_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


def history_response(request, conversation_id) -> Response:
    query = HistoryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    conversation, messages = selectors.message_history(
        user=request.user, conversation_id=conversation_id, **query.validated_data
    )
    # Seqs are gap-free from 1, so whether older or newer messages exist needs no extra query.
    base = request.build_absolute_uri(request.path)
    limit = query.validated_data["limit"]
    older = messages and messages[0].seq > 1
    newer = messages and messages[-1].seq < conversation.next_seq - 1
    scope = f"conversation={conversation.id}&" if "conversation" in request.query_params else ""
    return Response(
        {
            "results": [message_payload(m) for m in messages],
            "previous": f"{base}?{scope}before_seq={messages[0].seq}&limit={limit}" if older else None,
            "next": f"{base}?{scope}after_seq={messages[-1].seq}&limit={limit}" if newer else None,
        }
    )


class ConversationMessagesView(MessagingView):
    serializer_class = SendSerializer
    queryset = Message.objects.none()

    @extend_schema(parameters=[HistoryQuerySerializer], responses={200: HistoryResponse})
    def get(self, request, conversation_id):
        return history_response(request, conversation_id)

    @extend_schema(
        request=SendSerializer,
        responses={
            201: MessageSerializer,
            200: OpenApiResponse(MessageSerializer, description="Already sent with this client_id"),
            409: OpenApiResponse(description="client_id was used for a message in another conversation"),
        },
    )
    def post(self, request, conversation_id):
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = messaging.message_send(
            sender=request.user,
            conversation_id=conversation_id,
            content=data.validated_data["content"],
            client_id=data.validated_data.get("client_id"),
        )
        return Response(message_payload(message), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MessageListView(MessagingView):
    queryset = Message.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("conversation", OpenApiTypes.UUID, required=True), HistoryQuerySerializer],
        responses={200: HistoryResponse, 404: OpenApiResponse()},
    )
    def get(self, request):
        if not request.query_params.get("conversation"):
            raise serializers.ValidationError({"conversation": ["This parameter is required."]})
        return history_response(request, request.query_params["conversation"])


class ReadSerializer(InputSerializer):
    up_to_seq = serializers.IntegerField(min_value=0)


class ConversationReadView(MessagingView):
    serializer_class = ReadSerializer

    @extend_schema(
        request=ReadSerializer,
        responses={
            200: inline_serializer(
                "ReadReceipt",
                {"conversation_id": serializers.UUIDField(), "read_up_to_seq": serializers.IntegerField()},
            )
        },
    )
    def post(self, request, conversation_id):
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        messaging.receipt_read(
            user=request.user, conversation_id=conversation_id, up_to_seq=data.validated_data["up_to_seq"]
        )
        membership = selectors.people_conversation_get(user=request.user, conversation_id=conversation_id)
        return Response({"conversation_id": str(conversation_id), "read_up_to_seq": membership.read_up_to_seq})


class GroupCreateSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    members = serializers.ListField(child=serializers.CharField(max_length=64), max_length=500, default=list)


class GroupListView(MessagingView):
    serializer_class = GroupCreateSerializer

    @extend_schema(
        request=GroupCreateSerializer,
        responses={201: PeopleConversationSerializer, 404: OpenApiResponse(description="A member does not exist")},
    )
    def post(self, request):
        data = GroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = messaging.group_create(
            owner=request.user, name=data.validated_data["name"], member_ids=data.validated_data["members"]
        )
        return conversation_response(user=request.user, conversation_id=group.id, status_code=status.HTTP_201_CREATED)


class GroupMemberSerializer(InputSerializer):
    user_id = serializers.CharField(max_length=64)


class GroupMembersView(MessagingView):
    serializer_class = GroupMemberSerializer

    @extend_schema(
        request=GroupMemberSerializer,
        responses={200: PeopleConversationSerializer, 403: OpenApiResponse(description="Only the owner adds members")},
    )
    def post(self, request, group_id):
        data = GroupMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = messaging.group_member_add(
            actor=request.user, group_id=group_id, user_id=data.validated_data["user_id"]
        )
        return conversation_response(user=request.user, conversation_id=group.id)

    @extend_schema(
        parameters=[GroupMemberSerializer],
        responses={204: None, 403: OpenApiResponse(description="Only the owner removes other members")},
        description="The member to remove is `?user_id=`; a JSON body `{user_id}` is read too, for older clients.",
    )
    def delete(self, request, group_id):
        # OpenAPI gives a DELETE no body, so the query string is the documented way.
        source = request.data if isinstance(request.data, dict) and "user_id" in request.data else request.query_params
        data = GroupMemberSerializer(data=source)
        data.is_valid(raise_exception=True)
        messaging.group_member_remove(actor=request.user, group_id=group_id, user_id=data.validated_data["user_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)
