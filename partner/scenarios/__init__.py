"""Scenario scripts the offline partner follows: the engine (pure: a script, the state, a turn in, a reply out)."""
