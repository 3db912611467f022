"""Sign-up, sign-in and sign-out pages: Django session auth on top of the account services."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.exceptions import TooManyAttempts
from accounts.forms import SignInForm, SignUpForm
from accounts.throttles import AuthIPThrottle
from config.exceptions import ParleyError
from config.forms import form_error_add

BACKEND = "accounts.backends.EmailBackend"
THROTTLED = "Too many attempts for this account or from your network; wait a few minutes and try again."


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _throttled(request) -> bool:
    # The same per-IP budget as the REST sign-in and sign-up, counted in the same cache.
    return not AuthIPThrottle().allow_request(request, None)


def _auth_page(request, form, template: str, action):
    status, retry_after = 200, 60
    if request.method == "POST" and form.is_valid():
        if _throttled(request):
            form.add_error(None, THROTTLED)
            status = 429
        else:
            try:
                user = action(**form.cleaned_data)
            except TooManyAttempts as exc:
                form.add_error(None, THROTTLED)
                status, retry_after = 429, exc.retry_after
            except ParleyError as exc:
                form_error_add(form, exc)
            else:
                login(request, user, backend=BACKEND)
                return redirect(_next_url(request))
    if form.errors and status == 200:
        status = 400
    response = render(request, template, {"form": form, "next": _next_url(request)}, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def signup_view(request):
    form = SignUpForm(request.POST if request.method == "POST" else None)
    return _auth_page(request, form, "accounts/signup.html", services.user_signup)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = SignInForm(request.POST if request.method == "POST" else None)
    return _auth_page(request, form, "accounts/login.html", lambda **data: services.user_login(request=request, **data))


@require_POST
def logout_view(request):
    user_id = request.user.id if request.user.is_authenticated else None
    logout(request)
    if user_id is not None:
        # As the REST logout does: the sockets this browser opened with its cookie close too.
        services.sign_out_announce(user_id=user_id)
    return redirect("/")
