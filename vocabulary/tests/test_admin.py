import pytest

from vocabulary.services import vocabulary_review
from vocabulary.tests.factories import VocabularyItemFactory

pytestmark = pytest.mark.django_db


def test_changelist_searches_by_learner_email_and_filters(admin_client, user):
    VocabularyItemFactory(user=user, phrase="ねこ", mastery="learning")
    response = admin_client.get("/admin/vocabulary/vocabularyitem/", {"q": user.email, "mastery__exact": "learning"})
    assert response.status_code == 200
    assert "ねこ" in response.content.decode()


def test_change_page_shows_the_review_history_read_only(admin_client, user):
    item = vocabulary_review(item=VocabularyItemFactory(user=user), rating="good")
    response = admin_client.get(f"/admin/vocabulary/vocabularyitem/{item.id}/change/")
    assert response.status_code == 200
    assert "Good" in response.content.decode()
    assert "review_logs-0-rating" not in response.content.decode()
