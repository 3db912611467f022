"""Signals of accounts, for the apps above it that act on a user's sign-in state."""

from django.dispatch import Signal

# Sent after a sign-out commits (the REST logout or the logout page): kwargs `user_id`. The socket hub
# closes that user's open sockets.
signed_out = Signal()
