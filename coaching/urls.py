from django.urls import re_path

from coaching import api

urlpatterns = [
    re_path(r"^profile/?$", api.ProfileView.as_view(), name="profile"),
    re_path(r"^profile/cv/?$", api.CVView.as_view(), name="profile-cv"),
    re_path(r"^profile/training-focus/?$", api.TrainingFocusView.as_view(), name="profile-training-focus"),
    re_path(r"^improvements/?$", api.ImprovementsView.as_view(), name="improvements"),
    re_path(r"^analytics/trends/?$", api.TrendsView.as_view(), name="analytics-trends"),
    re_path(r"^history/?$", api.HistoryView.as_view(), name="history"),
    re_path(r"^coach/advice/?$", api.AdviceView.as_view(), name="coach-advice"),
    re_path(r"^review/due/?$", api.ReviewDueView.as_view(), name="review-due"),
    re_path(r"^review/(?P<card_id>[0-9a-fA-F-]{36})/?$", api.ReviewCardView.as_view(), name="review-card"),
]
