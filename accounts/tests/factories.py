import factory

from accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    username = factory.Sequence(lambda n: f"learner{n}")
    password = factory.django.Password(PASSWORD)
