"""Signals of evaluations, for the apps above them (coaching) that act on a stored evaluation."""

from django.dispatch import Signal

# Sent after the transaction that stored a successful evaluation commits: kwargs `evaluation`, `session`.
evaluation_stored = Signal()

# Sent after a turn's mistakes are stored (in bulk, so no post_save): kwargs `user`, `mistakes`.
mistakes_recorded = Signal()
