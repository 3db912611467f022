from collections.abc import AsyncIterator, Iterable

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import InputSerializer
from voice import services


class AudioQuerySerializer(InputSerializer):
    speed = serializers.ChoiceField(choices=["0.75", "1", "1.0"], required=False, default="1")


async def _streamed(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """Hand the chunks to the ASGI server as they are made; a sync iterator would be read whole first."""
    iterator = iter(chunks)
    while (chunk := await sync_to_async(next, thread_sensitive=False)(iterator, None)) is not None:
        yield chunk


class CapabilitiesQuerySerializer(InputSerializer):
    language = serializers.CharField(max_length=40)


class CapabilitiesSerializer(serializers.Serializer):
    speech = serializers.BooleanField(help_text="The server speaks this language (message audio)")
    transcription = serializers.BooleanField(help_text="The server transcribes recordings (session transcribe)")


class VoiceCapabilitiesView(APIView):
    @extend_schema(
        summary="What voice the server offers for a language",
        parameters=[CapabilitiesQuerySerializer],
        responses={200: CapabilitiesSerializer},
    )
    def get(self, request):
        query = CapabilitiesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        capabilities = services.voice_capabilities(language=query.validated_data["language"])
        return Response(CapabilitiesSerializer(capabilities).data)


class MessageAudioView(APIView):
    @extend_schema(
        summary="A practice message as speech",
        parameters=[
            OpenApiParameter("message_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
            AudioQuerySerializer,
        ],
        responses={
            (200, "audio/ogg"): OpenApiResponse(OpenApiTypes.BINARY, description="Ogg Opus, mono"),
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            400: OpenApiResponse(description="A speed other than 0.75 or 1"),
            404: OpenApiResponse(description="No such message, or not one of your practice messages"),
            409: OpenApiResponse(description="The message is still being written"),
            503: OpenApiResponse(description="No voice for this language without an AI provider"),
        },
    )
    def get(self, request, message_id):
        query = AudioQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        audio = services.message_audio(
            user=request.user, message_id=message_id, speed=float(query.validated_data["speed"])
        )
        response = StreamingHttpResponse(_streamed(audio.chunks), content_type=audio.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class TranscribeSerializer(serializers.Serializer):
    audio = serializers.FileField(help_text="The recording: WebM, Ogg, WAV, FLAC, MP3 or M4A, at most 2 MB and 60 s")


class TranscriptSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="What was heard, for the learner to check before sending")


class SessionTranscribeView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="A spoken turn as text",
        parameters=[OpenApiParameter("session_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request={"multipart/form-data": TranscribeSerializer},
        responses={
            200: TranscriptSerializer,
            400: OpenApiResponse(description="No recording, not audio, over 2 MB or over 60 s"),
            404: OpenApiResponse(description="No such session, or another user's"),
            409: OpenApiResponse(description="The session has ended"),
            503: OpenApiResponse(description="No provider transcribes, or it is unavailable"),
        },
    )
    def post(self, request, session_id):
        data = TranscribeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = services.session_transcribe(
            user=request.user, session_id=session_id, audio=data.validated_data["audio"].read()
        )
        return Response(TranscriptSerializer({"text": text}).data)
