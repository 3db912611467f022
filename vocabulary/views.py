"""The learner's vocabulary page: what is due for review, and every kept phrase."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from vocabulary import selectors
from vocabulary.models import ReviewRating

PAGE_SIZE = 50


@login_required
def vocabulary_page(request):
    context = {
        "due": selectors.vocabulary_due(user=request.user),
        "page": Paginator(selectors.vocabulary_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page")),
        "ratings": [(label.lower(), label) for label in ReviewRating.labels],
    }
    return render(request, "vocabulary/vocabulary.html", context)
