from django import forms

from conversations.models import SessionStatus, Strictness
from templates.models import Language, Level, Mode
from templates.selectors import template_list

PERSONAS = [
    ("friendly", "Friendly"),
    ("patient", "Patient"),
    ("playful", "Playful"),
    ("formal", "Formal"),
]


class SessionStartForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices, initial=Language.JAPANESE)
    level = forms.ChoiceField(choices=Level.choices, initial=Level.BEGINNER)
    persona = forms.ChoiceField(choices=PERSONAS, initial="friendly", label="Partner persona")
    strictness = forms.ChoiceField(choices=Strictness.choices, initial=Strictness.BALANCED)
    template = forms.ChoiceField(required=False, label="Scenario")

    def __init__(self, *args, free_form: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.free_form = free_form
        self.templates = list(template_list(mode=Mode.LANGUAGE))
        self.fields["template"].choices = [("", ""), *((str(t.id), t.title) for t in self.templates)]

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


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Active and completed"), *SessionStatus.choices], required=False)
