"""Scenario scripts the offline partner follows: the engine (pure) and the session's view of it."""
