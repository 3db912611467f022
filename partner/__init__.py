"""The practice partner's policy: its prompts, its strictness, its offline lines and the turn analysis.

The AI gateway (`ai`) runs the calls; this package tells it what to say, registering its prompts and
offline handlers when the app is ready (`partner.apps`). The scenario engine is in `partner.scenarios`;
what a practice session keeps of it is `conversations.scenarios`.
"""
