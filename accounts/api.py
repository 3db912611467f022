from django.http import HttpResponseRedirect
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import google, services
from accounts.models import USERNAME_PATTERN, User
from accounts.throttles import AuthAccountThrottle, AuthIPThrottle
from config.serializers import InputSerializer


class UserSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(source="id", read_only=True)

    class Meta:
        model = User
        fields = [
            "user_id",
            "email",
            "username",
            "display_name",
            "provider",
            "activation_state",
            "is_online",
            "last_seen",
            "preferences",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "minLength": 8,
        "maxLength": 128,
        "pattern": r"^[^\x00]*[^0-9\x00][^\x00]*$",
        "description": "At least 8 characters, not all digits, not a common password, not like the email.",
    }
)
class NewPasswordField(serializers.CharField):
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) judge it in user_signup."""


class SignupSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = NewPasswordField(max_length=128, trim_whitespace=False)
    # Not trimmed: the schema allows a username or "" (one made from the email), nothing else.
    username = serializers.RegexField(
        USERNAME_PATTERN, max_length=150, required=False, allow_blank=True, trim_whitespace=False
    )


class LoginSerializer(InputSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshSerializer(InputSerializer):
    refresh = serializers.CharField(max_length=2000)


class IdTokenSerializer(InputSerializer):
    id_token = serializers.CharField(max_length=8000)


class CallbackSerializer(InputSerializer):
    # Google's codes and our states are short URL-safe ASCII; anything else cannot be a real sign-in
    # (and a long non-ASCII code would not even fit in a request line).
    code = serializers.RegexField(r"^[\x21-\x7e]+$", max_length=512)
    state = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=200)


class GoogleStartQuerySerializer(InputSerializer):
    redirect = serializers.BooleanField(default=False, help_text="Answer with a 302 to Google instead.")


TokenPairSerializer = inline_serializer(
    "TokenPair", {"token": serializers.CharField(), "refresh": serializers.CharField()}
)
LoginResponseSerializer = inline_serializer(
    "LoginResponse",
    {
        "token": serializers.CharField(),
        "refresh": serializers.CharField(),
        "user_id": serializers.UUIDField(),
        "email": serializers.EmailField(),
        "user": UserSerializer(),
    },
)


BAD_REFRESH = OpenApiResponse(description="The refresh token is invalid, expired or revoked")
GOOGLE_OFF = OpenApiResponse(description="Google sign-in is not configured on this server")
GOOGLE_REFUSED = OpenApiResponse(description="Google refused the sign-in, or the token or state is invalid")


def login_body(user: User) -> dict:
    return {
        **services.tokens_for(user=user),
        "user_id": str(user.id),
        "email": user.email,
        "user": UserSerializer(user).data,
    }


class AuthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []


class SignupView(AuthView):
    throttle_classes = [AuthIPThrottle, AuthAccountThrottle]

    @extend_schema(
        request=SignupSerializer,
        responses={
            201: inline_serializer(
                "SignupResponse",
                {
                    "user_id": serializers.UUIDField(),
                    "email": serializers.EmailField(),
                    "username": serializers.CharField(),
                    "token": serializers.CharField(),
                    "refresh": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="Bad input, or a weak password (code weak_password)"),
            409: OpenApiResponse(description="Email (or username) already registered"),
        },
    )
    def post(self, request):
        data = SignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_signup(**data.validated_data)
        body = {"user_id": str(user.id), "email": user.email, "username": user.username}
        return Response({**body, **services.tokens_for(user=user)}, status=status.HTTP_201_CREATED)


class LoginView(AuthView):
    throttle_classes = [AuthIPThrottle, AuthAccountThrottle]

    @extend_schema(
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, 401: OpenApiResponse(description="Wrong email or password")},
    )
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_login(request=request, **data.validated_data)
        return Response(login_body(user))


class RefreshView(AuthView):
    @extend_schema(
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, 401: BAD_REFRESH},
    )
    def post(self, request):
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.token_refresh(refresh=data.validated_data["refresh"]))


class LogoutView(AuthView):
    @extend_schema(
        request=RefreshSerializer,
        responses={
            200: inline_serializer("LogoutResponse", {"message": serializers.CharField()}),
            401: BAD_REFRESH,
        },
    )
    def post(self, request):
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.token_revoke(refresh=data.validated_data["refresh"])
        services.sign_out_announce(user_id=user.id)
        return Response({"message": "Logged out successfully"})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class GoogleStartView(AuthView):
    @extend_schema(
        parameters=[GoogleStartQuerySerializer],
        responses={
            200: inline_serializer(
                "GoogleStart", {"authorization_url": serializers.URLField(), "state": serializers.CharField()}
            ),
            302: OpenApiResponse(description="With ?redirect=true (or 1), a redirect to Google"),
            503: GOOGLE_OFF,
        },
    )
    def get(self, request):
        query = GoogleStartQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = google.authorization_start()
        if query.validated_data["redirect"]:
            return HttpResponseRedirect(start["authorization_url"])
        return Response(start)


class GoogleCallbackView(AuthView):
    throttle_classes = [AuthIPThrottle]

    @extend_schema(
        parameters=[CallbackSerializer],
        responses={200: LoginResponseSerializer, 401: GOOGLE_REFUSED, 503: GOOGLE_OFF},
    )
    def get(self, request):
        data = CallbackSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        claims = google.code_exchange(**data.validated_data)
        return Response(login_body(google.google_user_get_or_create(claims=claims)))


class GoogleTokenView(AuthView):
    throttle_classes = [AuthIPThrottle]

    @extend_schema(
        request=IdTokenSerializer, responses={200: LoginResponseSerializer, 401: GOOGLE_REFUSED, 503: GOOGLE_OFF}
    )
    def post(self, request):
        data = IdTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claims = google.id_token_verify(id_token=data.validated_data["id_token"])
        return Response(login_body(google.google_user_get_or_create(claims=claims)))
