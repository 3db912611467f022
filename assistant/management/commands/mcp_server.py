"""`manage.py mcp_server --user EMAIL`: the assistant's tools over MCP on stdio, acting as one learner."""

import asyncio

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from assistant.tools.mcp_server import server_build


class Command(BaseCommand):
    help = "Serve the assistant's tools over MCP on stdin/stdout, acting as the learner with this email."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The learner's email address.")

    def handle(self, *args, user: str, **options):
        learner = User.objects.filter(email__iexact=user.strip(), is_active=True).first()
        if learner is None:
            raise CommandError(f"No active user with the email {user!r}.")

        async def current_user() -> User:
            return learner

        # stdout is the protocol channel from here on: nothing else may be printed to it.
        asyncio.run(server_build(current_user=current_user, http=False).run_stdio_async())
