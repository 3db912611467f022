from django.shortcuts import redirect, render
from django.templatetags.static import static

from conversations.views import dashboard


def home(request):
    """The dashboard for a signed-in learner, the landing page for everyone else."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "home.html")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that link no icon (the admin, the browsable API)."""
    return redirect(static("favicon.svg"), permanent=True)
