from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import defaults

from config.exceptions import envelope
from conversations.views import dashboard


def home(request):
    """The dashboard for a signed-in learner, the landing page for everyone else."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "home.html")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that link no icon (the admin, the browsable API)."""
    return redirect(static("favicon.svg"), permanent=True)


def page_not_found(request, exception):
    """No route: under /api/ the envelope (config.middleware keeps it), with no page rendered for it."""
    if request.path.startswith("/api/"):
        return JsonResponse(envelope("Not found.", "not_found"), status=404)
    return defaults.page_not_found(request, exception)
