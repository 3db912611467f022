from django.urls import re_path

from vocabulary import api

ITEM = r"(?P<item_id>[0-9a-fA-F-]{36})"

# review and export come before the item routes so they are never read as an item id.
urlpatterns = [
    re_path(r"^vocabulary/?$", api.VocabularyListView.as_view(), name="vocabulary-list"),
    re_path(r"^vocabulary/review/?$", api.VocabularyDueView.as_view(), name="vocabulary-due"),
    re_path(r"^vocabulary/export/?$", api.VocabularyExportView.as_view(), name="vocabulary-export"),
    re_path(rf"^vocabulary/{ITEM}/?$", api.VocabularyDetailView.as_view(), name="vocabulary-detail"),
    re_path(rf"^vocabulary/{ITEM}/review/?$", api.VocabularyReviewView.as_view(), name="vocabulary-review"),
]
