"""REST for evaluations and mistakes: read an evaluation, a session's, retry a failed one; list mistakes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from conversations.api.sessions import MistakeSerializer
from conversations.selectors import session_get
from conversations.services.serializers import mistake_payload
from evaluations import selectors, services
from evaluations.models import Evaluation, Mistake, MistakeType


class EvaluationSerializer(serializers.ModelSerializer):
    evaluation_id = serializers.UUIDField(source="id", read_only=True)
    session_id = serializers.UUIDField(read_only=True)
    retryable = serializers.BooleanField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="ok, or failed (retry with POST .../evaluate)")

    class Meta:
        model = Evaluation
        fields = [
            "evaluation_id",
            "session_id",
            "status",
            "retryable",
            "error_code",
            "preparation_type",
            "rubric",
            "universal_scores",
            "context_scores",
            "improvement_areas",
            "practice_suggestions",
            "strengths",
            "evidence",
            "details",
            "overall_score",
            "offline",
            "attempts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EvaluationDetailView(GenericAPIView):
    serializer_class = EvaluationSerializer

    @extend_schema(responses={200: EvaluationSerializer, 404: OpenApiResponse()})
    def get(self, request, evaluation_id):
        evaluation = selectors.evaluation_get(user=request.user, evaluation_id=evaluation_id)
        return Response(EvaluationSerializer(evaluation).data)


class SessionEvaluationView(GenericAPIView):
    serializer_class = EvaluationSerializer

    @extend_schema(responses={200: EvaluationSerializer, 404: OpenApiResponse()})
    def get(self, request, session_id):
        session = session_get(user=request.user, session_id=session_id)
        evaluation = selectors.evaluation_for_session(user=request.user, session_id=session.id)
        return Response(EvaluationSerializer(evaluation).data)


class SessionEvaluateView(GenericAPIView):
    serializer_class = EvaluationSerializer

    @extend_schema(
        request=None,
        responses={200: EvaluationSerializer, 404: OpenApiResponse(), 409: OpenApiResponse(), 503: OpenApiResponse()},
    )
    def post(self, request, session_id):
        session = session_get(user=request.user, session_id=session_id)
        evaluation = services.evaluation_retry(session=session)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_200_OK)


class SessionMistakesView(GenericAPIView):
    serializer_class = MistakeSerializer
    queryset = Mistake.objects.none()

    @extend_schema(responses={200: MistakeSerializer(many=True)})
    def get(self, request, session_id):
        session = session_get(user=request.user, session_id=session_id)
        page = self.paginate_queryset(selectors.mistake_list(user=request.user, session_id=session.id))
        return self.get_paginated_response([mistake_payload(m) for m in page])


class MistakeListView(GenericAPIView):
    serializer_class = MistakeSerializer
    queryset = Mistake.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("session", OpenApiTypes.UUID, required=False),
            OpenApiParameter("type", enum=MistakeType.values, required=False),
        ],
        responses={200: MistakeSerializer(many=True), 404: OpenApiResponse(description="No such session")},
    )
    def get(self, request):
        params = request.query_params
        if params.get("type") and params["type"] not in MistakeType.values:
            raise serializers.ValidationError({"type": [f"Must be one of {', '.join(MistakeType.values)}."]})
        session_id = None
        if params.get("session"):
            session_id = session_get(user=request.user, session_id=params["session"]).id
        mistakes = selectors.mistake_list(user=request.user, session_id=session_id, type=params.get("type"))
        page = self.paginate_queryset(mistakes)
        return self.get_paginated_response([mistake_payload(m) for m in page])
