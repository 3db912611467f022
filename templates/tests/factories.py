import factory

from templates.models import ConversationTemplate, Language, Level


class ConversationTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationTemplate

    slug = factory.Sequence(lambda n: f"template-{n}")
    language = Language.JAPANESE
    level = Level.BEGINNER
    title = factory.Sequence(lambda n: f"Template {n}")
    topic = "casual"
    description = "Small talk with a new friend."
    persona = factory.LazyFunction(lambda: {"name": "Yuki", "role": "Student", "style": "Warm"})
    system_prompt = "You are Yuki."
    starter_turns = factory.LazyFunction(
        lambda: [{"speaker": "partner", "text": "こんにちは！", "reading": "こんにちは！", "translation": "Hello!"}]
    )
    vocab_hints = factory.LazyFunction(lambda: [{"phrase": "名前", "reading": "なまえ", "translation": "name"}])
    goals = factory.LazyFunction(lambda: ["Introduce yourself"])
