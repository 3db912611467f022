from django import forms

from conversations.models import Strictness
from partner.scenarios.phrases import SPOKEN
from templates.models import Language, Level, Mode
from templates.selectors import template_list

PERSONAS = [
    ("friendly", "Friendly"),
    ("patient", "Patient"),
    ("playful", "Playful"),
    ("formal", "Formal"),
]


FREE_FORM = "free"


class SessionStartForm(forms.Form):
    """A language session: a scenario of the chosen language and level, or an explicit free conversation."""

    # Only the languages the partner speaks (docs/templates.md: the small-talk scripts).
    language = forms.ChoiceField(
        choices=[choice for choice in Language.choices if choice[0] in SPOKEN], initial=Language.JAPANESE
    )
    level = forms.ChoiceField(choices=Level.choices, initial=Level.BEGINNER)
    persona = forms.ChoiceField(choices=PERSONAS, initial="friendly", label="Partner persona")
    strictness = forms.ChoiceField(choices=Strictness.choices, initial=Strictness.BALANCED)
    template = forms.ChoiceField(
        label="Scenario", error_messages={"required": "Choose a scenario, or Free conversation."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = list(template_list(mode=Mode.LANGUAGE))
        self.fields["template"].choices = [
            (FREE_FORM, "Free conversation"),
            *((str(t.id), t.title) for t in self.templates),
        ]

    def situations(self) -> list[dict]:
        """The scenarios grouped by situation (their topic), for the picker."""
        groups: dict[str, list] = {}
        for template in sorted(self.templates, key=lambda t: (t.topic, t.title)):
            groups.setdefault(template.topic, []).append(template)
        return [
            {"topic": topic, "label": topic.replace("-", " ").capitalize(), "templates": group}
            for topic, group in groups.items()
        ]

    def clean(self):
        data = super().clean()
        chosen = next((t for t in self.templates if str(t.id) == data.get("template")), None)
        if chosen and (chosen.language, chosen.level) != (data.get("language"), data.get("level")):
            self.add_error("template", "This scenario is for another language or level.")
        return data


class SessionSettingsForm(forms.Form):
    persona = forms.ChoiceField(choices=PERSONAS, label="Persona")
    strictness = forms.ChoiceField(choices=Strictness.choices)

    def __init__(self, *args, session, **kwargs):
        kwargs.setdefault("initial", {"persona": session.persona, "strictness": session.strictness})
        super().__init__(*args, **kwargs)
        # A session started through the API may carry a persona of its own; it stays selectable.
        if session.persona not in dict(PERSONAS):
            self.fields["persona"].choices = [*PERSONAS, (session.persona, session.persona)]
