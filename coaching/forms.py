"""Page forms for the coaching profile, the training focus, the CV and the history filters."""

from django import forms

from conversations.models import SessionMode, SessionStatus
from templates.models import Language, Level, PreparationType

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


class ProfileForm(forms.Form):
    preparation_type = forms.ChoiceField(
        choices=[("", "Not set"), *PreparationType.choices], required=False, label="Preparation type"
    )
    meeting_subtype = forms.CharField(max_length=100, required=False, label="Meeting subtype")
    agenda = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tone = forms.CharField(max_length=100, required=False)
    role = forms.CharField(max_length=200, required=False, label="Role you prepare for")


class TrainingFocusForm(forms.Form):
    title = forms.CharField(max_length=200, label="Focus title")
    tags = forms.CharField(
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2), required=False, help_text="Comma-separated, e.g. leadership, STAR"
    )
    agenda_template = forms.CharField(
        max_length=5000,
        required=False,
        label="Agenda template",
        help_text="Becomes your profile's agenda.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_tags(self) -> list[str]:
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise forms.ValidationError(f"Keep each tag under {MAX_TAG_LENGTH + 1} characters.")
        return tags


class CVForm(forms.Form):
    cv_text = forms.CharField(
        max_length=50_000,
        label="CV text",
        help_text="Names, emails, phone numbers and addresses are removed before anything is stored or sent.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )


REHEARSAL_KINDS = {
    "interview": PreparationType.INTERVIEW,
    "pitch": PreparationType.PITCH,
    "meeting": PreparationType.CORPORATE,
}


class RehearsalStartForm(forms.Form):
    """An interview, pitch or meeting rehearsal; the fields start from the learner's profile."""

    kind = forms.ChoiceField(choices=[(kind, kind.title()) for kind in REHEARSAL_KINDS], initial="interview")
    preparation_type = forms.ChoiceField(choices=PreparationType.choices, label="Preparation type")
    meeting_subtype = forms.CharField(max_length=100, required=False, label="Meeting type")
    role = forms.CharField(max_length=200, required=False, label="Role you prepare for")
    agenda = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(choices=Language.choices, initial=Language.ENGLISH)
    level = forms.ChoiceField(choices=Level.choices, initial=Level.INTERMEDIATE)
    template = forms.CharField(max_length=64, required=False, label="Scenario")


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Active and completed"), *SessionStatus.choices], required=False)
    mode = forms.ChoiceField(choices=[("", "Any"), *SessionMode.choices], required=False)
    language = forms.ChoiceField(choices=[("", "Any"), *Language.choices], required=False)
    template = forms.CharField(max_length=100, required=False, label="Scenario")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    min_score = forms.IntegerField(min_value=0, max_value=100, required=False, label="Score from")
    max_score = forms.IntegerField(min_value=0, max_value=100, required=False, label="Score to")
    search = forms.CharField(max_length=200, required=False, label="Search the transcripts")

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"] = forms.ChoiceField(
            choices=[("", "Any"), *((t.slug, t.title) for t in templates)], required=False, label="Scenario"
        )
