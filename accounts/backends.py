from django.contrib.auth.backends import ModelBackend

from accounts.models import Provider, User


class EmailBackend(ModelBackend):
    """Password sign-in for local accounts, by email (or by username, for the admin)."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        identifier = (email or username or "").strip()
        if not identifier or password is None:
            return None
        lookup = {"email": identifier.lower()} if "@" in identifier else {"username": identifier}
        user = User.objects.filter(provider=Provider.LOCAL, **lookup).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal which emails exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
