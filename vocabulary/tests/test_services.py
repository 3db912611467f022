from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from config.exceptions import NotFound, ParleyError
from vocabulary.models import Mastery, ReviewLog, Source, VocabularyItem
from vocabulary.services import (
    vocabulary_add,
    vocabulary_review,
    vocabulary_tag_from_ai,
    vocabulary_update,
)
from vocabulary.tests.factories import VocabularyItemFactory, message_for

pytestmark = pytest.mark.django_db


def test_add_keeps_context_sentence_and_source_message(user):
    # given an AI reply in the learner's conversation
    message = message_for(user)
    # when the learner marks a phrase in it
    item, created = vocabulary_add(
        user=user,
        phrase="  いい  てんき ",
        language="Japanese",
        translation="nice weather",
        reading="いい てんき",
        context_sentence="きょうは いい てんき ですね。",
        source_message=message,
    )
    # then the item is stored, normalised, new and due now
    assert created is True
    item.refresh_from_db()
    assert (item.phrase, item.language, item.source, item.mastery) == ("いい てんき", "japanese", "manual", "new")
    assert item.context_sentence == "きょうは いい てんき ですね。"
    assert item.source_message == message
    assert item.card["state"] == 1
    assert item.due_at <= timezone.now()


def test_adding_again_returns_the_item_and_fills_only_what_it_lacked(user):
    # given a phrase kept with a translation but no reading
    first, _ = vocabulary_add(user=user, phrase="ねこ", language="japanese", translation="cat")
    # when it is added again with another translation and a reading
    again, created = vocabulary_add(
        user=user, phrase="ねこ", language="japanese", translation="kitty", reading="neko", source=Source.AI
    )
    # then the same item comes back, the learner's translation kept and the reading filled in
    assert created is False
    assert again.id == first.id
    assert VocabularyItem.objects.filter(user=user).count() == 1
    again.refresh_from_db()
    assert (again.translation, again.reading, again.source) == ("cat", "neko", "manual")


def test_same_phrase_in_another_language_or_for_another_user_is_its_own_item(user, other_user):
    vocabulary_add(user=user, phrase="pan", language="japanese")
    _, other_language = vocabulary_add(user=user, phrase="pan", language="spanish")
    _, other_learner = vocabulary_add(user=other_user, phrase="pan", language="japanese")
    assert other_language and other_learner
    assert VocabularyItem.objects.count() == 3


def test_a_message_from_someone_elses_conversation_cannot_be_attached(user, other_user):
    # given a message in a conversation only the other user is in
    foreign = message_for(other_user)
    # when the learner tries to attach it, then it is not found and nothing is stored
    with pytest.raises(NotFound):
        vocabulary_add(user=user, phrase="ねこ", language="japanese", source_message=foreign)
    assert not VocabularyItem.objects.exists()


def test_a_message_from_a_conversation_the_user_left_cannot_be_attached(user):
    message = message_for(user)
    message.conversation.memberships.update(left_at=timezone.now())
    with pytest.raises(NotFound):
        vocabulary_add(user=user, phrase="ねこ", language="japanese", source_message=message.id)


@pytest.mark.parametrize(("phrase", "language"), [("   ", "japanese"), ("ねこ", ""), ("あ" * 201, "japanese")])
def test_blank_or_too_long_input_is_refused(user, phrase, language):
    with pytest.raises(ParleyError) as error:
        vocabulary_add(user=user, phrase=phrase, language=language)
    assert error.value.status_code == 400
    assert error.value.fields


def test_ai_tagging_skips_blanks_and_repeats_and_keeps_what_the_learner_wrote(user):
    # given a reply and a phrase the learner already kept by hand
    message = message_for(user, content="こんにちは。きょうは いい てんき ですね！ さんぽ しましょう。")
    manual, _ = vocabulary_add(user=user, phrase="さんぽ", language="japanese", translation="a stroll")
    # when the AI tags phrases, some blank, one twice, one already kept
    items = vocabulary_tag_from_ai(
        user=user,
        language="japanese",
        source_message=message,
        items=[
            {"phrase": "てんき", "reading": "tenki", "translation": "weather"},
            {"phrase": " "},
            {"translation": "no phrase"},
            "not a dict",
            {"phrase": "てんき", "translation": "sky"},
            {"phrase": "さんぽ", "translation": "walk", "reading": "sanpo"},
        ],
    )
    # then one item per phrase comes back, the new one from the AI with its sentence
    assert [item.phrase for item in items] == ["てんき", "さんぽ"]
    weather = VocabularyItem.objects.get(user=user, phrase="てんき")
    assert (weather.source, weather.translation, weather.reading) == ("ai", "weather", "tenki")
    assert weather.context_sentence == "きょうは いい てんき ですね！"
    assert weather.source_message == message
    manual.refresh_from_db()
    assert (manual.translation, manual.reading, manual.source) == ("a stroll", "sanpo", "manual")
    assert VocabularyItem.objects.filter(user=user).count() == 2


def test_ai_tagging_on_another_users_message_is_refused(user, other_user):
    with pytest.raises(NotFound):
        vocabulary_tag_from_ai(
            user=user, language="japanese", source_message=message_for(other_user), items=[{"phrase": "ねこ"}]
        )
    assert not VocabularyItem.objects.exists()


def test_update_changes_only_given_fields_and_refuses_a_bad_mastery(user):
    item = VocabularyItemFactory(user=user, reading="neko")
    vocabulary_update(item=item, mastery=Mastery.LEARNING, translation=" cat ")
    item.refresh_from_db()
    assert (item.mastery, item.translation, item.reading) == ("learning", "cat", "neko")
    with pytest.raises(ParleyError):
        vocabulary_update(item=item, mastery="forgotten")


@pytest.mark.parametrize(
    ("rating", "at_least", "at_most"),
    [
        (1, timedelta(minutes=1), timedelta(minutes=1)),
        ("hard", timedelta(minutes=5), timedelta(minutes=6)),
        ("good", timedelta(minutes=10), timedelta(minutes=10)),
        ("4", timedelta(days=2), timedelta(days=12)),
    ],
)
def test_first_review_schedules_by_rating_and_starts_learning(user, rating, at_least, at_most):
    # given a new item
    item = VocabularyItemFactory(user=user)
    # when it is reviewed for the first time
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        item = vocabulary_review(item=item, rating=rating)
        now = timezone.now()
    # then it comes back after the interval fsrs gives that rating, and is being learnt
    assert at_least <= item.due_at - now <= at_most
    assert item.mastery == Mastery.LEARNING
    log = ReviewLog.objects.get(item=item)
    assert log.due_at == item.due_at
    assert log.log["rating"] == log.rating


def test_better_ratings_bring_an_item_back_later(user):
    dues = []
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        for rating in ("again", "hard", "good", "easy"):
            dues.append(vocabulary_review(item=VocabularyItemFactory(user=user), rating=rating).due_at)
    assert dues == sorted(dues)
    assert len(set(dues)) == 4


def test_good_reviews_master_an_item_and_again_drops_it_back(user):
    # given an item reviewed "good" each time it comes due
    item = VocabularyItemFactory(user=user)
    with time_machine.travel("2026-03-01 09:00Z", tick=False) as clock:
        for _ in range(4):
            item = vocabulary_review(item=item, rating="good")
            clock.move_to(item.due_at)
        # then fsrs's stability passed three weeks and the item is mastered
        assert item.card["stability"] >= 21
        assert item.mastery == Mastery.MASTERED
        # when the learner then forgets it
        item = vocabulary_review(item=item, rating="again")
    # then it is learning again and due within the hour
    assert item.mastery == Mastery.LEARNING
    assert item.due_at - item.updated_at <= timedelta(hours=1)
    assert ReviewLog.objects.filter(item=item).count() == 5


def test_a_learner_marked_mastered_item_stays_mastered_until_forgotten(user):
    item = VocabularyItemFactory(user=user, mastery=Mastery.MASTERED)
    assert vocabulary_review(item=item, rating="good").mastery == Mastery.MASTERED
    assert vocabulary_review(item=item, rating="again").mastery == Mastery.LEARNING


@pytest.mark.parametrize("rating", [0, 5, "meh", "", None, True])
def test_a_bad_rating_is_refused_and_nothing_changes(user, rating):
    item = VocabularyItemFactory(user=user)
    with pytest.raises(ParleyError):
        vocabulary_review(item=item, rating=rating)
    assert not ReviewLog.objects.exists()


def test_a_deleted_source_message_leaves_the_item(user):
    message = message_for(user)
    item, _ = vocabulary_add(user=user, phrase="ねこ", language="japanese", source_message=message)
    message.delete()
    item.refresh_from_db()
    assert item.source_message is None
