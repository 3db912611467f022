"""Signals of conversations, for the apps above it that keep what a turn produced."""

from django.dispatch import Signal

# Sent inside the transaction that replaces the learner's turn with an edited one: kwargs `message_id`
# (the replaced turn). Its findings no longer stand; the new turn gets its own.
turn_replaced = Signal()
