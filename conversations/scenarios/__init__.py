"""A practice session's view of its scenario script: the state it keeps and the turns it feeds the engine."""
