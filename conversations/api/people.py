"""REST for finding people and blocking them."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import User
from config.serializers import InputSerializer
from conversations import selectors
from conversations.services import messaging
from conversations.services.presence import online_ids


class PersonSerializer(serializers.Serializer):
    """The shape of person_payload, for the schema."""

    user_id = serializers.UUIDField()
    id = serializers.UUIDField(help_text="The same as user_id.")
    username = serializers.CharField()
    display_name = serializers.CharField()
    is_online = serializers.BooleanField()
    last_seen = serializers.DateTimeField(allow_null=True)


BlockedResponse = inline_serializer(
    "Blocked", {"user_id": serializers.UUIDField(), "blocked": serializers.BooleanField()}
)


def person_payload(user: User, online: set[str]) -> dict:
    # Never another user's email address: people are found by it, not shown it.
    return {
        "user_id": str(user.id),
        "id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "is_online": str(user.id) in online,
        "last_seen": user.last_seen.isoformat() if user.last_seen else None,
    }


class UserSearchQuerySerializer(InputSerializer):
    search = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class UserSearchView(GenericAPIView):
    queryset = User.objects.none()

    @extend_schema(parameters=[UserSearchQuerySerializer], responses={200: PersonSerializer(many=True)})
    def get(self, request):
        query = UserSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        search = query.validated_data["search"]
        page = self.paginate_queryset(selectors.user_search(user=request.user, search=search))
        online = online_ids(user_ids=[person.id for person in page])
        return self.get_paginated_response([person_payload(person, online) for person in page])


class UserBlockView(GenericAPIView):
    @extend_schema(
        request=None,
        responses={
            201: BlockedResponse,
            200: OpenApiResponse(BlockedResponse, description="Blocked already"),
            403: OpenApiResponse(description="You cannot block yourself"),
        },
    )
    def post(self, request, user_id):
        created = messaging.user_block(user=request.user, other_id=user_id)
        return Response(
            {"user_id": str(user_id), "blocked": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, user_id):
        messaging.user_unblock(user=request.user, other_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
