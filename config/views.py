from django.shortcuts import render

from conversations.views import dashboard


def home(request):
    """The dashboard for a signed-in learner, the landing page for everyone else."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "home.html")
