"""Signals of evaluations, for the apps above them (coaching) that act on a stored evaluation."""

from django.dispatch import Signal

# Sent once a focused session's targets are checked, after the transaction commits: at its evaluation,
# or when it ends too short to be scored. kwargs `session`, `practised` (targets_practised's list).
targets_checked = Signal()

# Sent after a turn's mistakes are stored (in bulk, so no post_save): kwargs `user`, `mistakes`.
mistakes_recorded = Signal()

# Sent inside the transaction that stores a successful evaluation, so what it updates commits with it:
# kwargs `user_id`, `evaluation`.
evaluation_stored = Signal()
