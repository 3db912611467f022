import factory

from accounts.tests.factories import UserFactory
from conversations.models import Conversation, Membership, Message
from vocabulary.models import VocabularyItem


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    kind = "practice"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    conversation = factory.SubFactory(ConversationFactory)
    user = factory.SubFactory(UserFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = "assistant"
    seq = factory.Sequence(lambda n: n + 1)
    content = "こんにちは。きょうは いい てんき ですね。"


def message_for(user, **kwargs) -> Message:
    """An AI reply in a practice conversation the user is a member of."""
    membership = MembershipFactory(user=user)
    return MessageFactory(conversation=membership.conversation, **kwargs)


class VocabularyItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VocabularyItem

    user = factory.SubFactory(UserFactory)
    phrase = factory.Sequence(lambda n: f"ことば{n}")
    translation = "word"
    language = "japanese"
