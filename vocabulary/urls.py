from django.urls import re_path

from vocabulary import api

ITEM = r"(?P<item_id>[0-9a-fA-F-]{36})"
CORRECTION = r"(?P<correction_id>[0-9a-fA-F-]{36})"

# review and export come before the item routes so they are never read as an item id.
urlpatterns = [
    re_path(r"^vocabulary/?$", api.VocabularyListView.as_view(), name="vocabulary-list"),
    re_path(r"^vocabulary/review/?$", api.VocabularyDueView.as_view(), name="vocabulary-due"),
    re_path(r"^vocabulary/export/?$", api.VocabularyExportView.as_view(), name="vocabulary-export"),
    re_path(rf"^vocabulary/{ITEM}/?$", api.VocabularyDetailView.as_view(), name="vocabulary-detail"),
    re_path(rf"^vocabulary/{ITEM}/review/?$", api.VocabularyReviewView.as_view(), name="vocabulary-review"),
    re_path(r"^annotate/?$", api.AnnotateView.as_view(), name="annotate"),
    re_path(r"^dictionary/?$", api.DictionaryView.as_view(), name="dictionary"),
    re_path(r"^readings/corrections/?$", api.ReadingCorrectionListView.as_view(), name="reading-corrections"),
    re_path(
        rf"^readings/corrections/{CORRECTION}/?$",
        api.ReadingCorrectionDetailView.as_view(),
        name="reading-correction-detail",
    ),
    re_path(r"^readings/settings/?$", api.ReadingSettingsView.as_view(), name="reading-settings"),
]
