"""Coaching use-cases that write: the profile, its CV and training focus, and a session's inherited context."""

import re
from dataclasses import dataclass

from django.db import transaction

import ai
from coaching.cv import CVRequest, CVStructure, cv_messages
from coaching.interviewer import interviewer_brief
from coaching.models import Profile
from coaching.redaction import NOT_NAME, pii_redact

PROFILE_FIELDS = ("preparation_type", "meeting_subtype", "agenda", "tone", "role")
CONTEXT_STORIES = 3


def profile_get_or_create(*, user) -> Profile:
    """The user's profile, created with defaults on first read."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user, **changes) -> Profile:
    """Apply a partial update of the plain profile fields; other keys are refused with ValueError."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    profile = profile_get_or_create(user=user)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save(update_fields=[*changes, "updated_at"])
    return profile


@transaction.atomic
def training_focus_set(*, user, title: str, tags: list[str], agenda_template: str) -> Profile:
    """Set the training focus; its agenda template becomes the profile's agenda."""
    profile = profile_get_or_create(user=user)
    profile.training_focus = {"title": title, "tags": tags, "agenda_template": agenda_template}
    profile.agenda = agenda_template
    profile.save(update_fields=["training_focus", "agenda", "updated_at"])
    return profile


@dataclass(frozen=True)
class CVResult:
    profile: Profile
    redacted: dict[str, int]


def account_names(*, user) -> list[str]:
    """The names the account already gives away: its display name, and a first.last e-mail's two parts."""
    names = [user.display_name]
    parts = re.split(r"[._-]", (user.email or "").partition("@")[0])
    if len(parts) == 2 and all(p.isalpha() and len(p) >= 2 and p.lower() not in NOT_NAME for p in parts):
        names.append(" ".join(parts))
    return names


def cv_ingest(*, user, cv_text: str) -> CVResult:
    """Redact the CV, store it, then structure it through the gateway into the profile.

    Redaction always runs first, so no personal detail is stored, logged or sent to a provider.
    The redacted text is stored before the AI call (no transaction held across it), so a failed
    call keeps the CV for a retry. Raises AIUnavailable.
    """
    redaction = pii_redact(text=cv_text, known_names=account_names(user=user))
    profile = profile_get_or_create(user=user)
    profile.cv_text = redaction.text
    profile.save(update_fields=["cv_text", "updated_at"])
    request = CVRequest(cv_text=redaction.text, focus_tags=list(profile.training_focus.get("tags", [])))
    structure = ai.structured_sync(
        user=user,
        conversation=None,
        purpose="cv_structure",
        schema=CVStructure,
        messages=cv_messages(request),
        request=request,
    )
    profile.structured_profile = structure.structured_profile.model_dump()
    profile.story_bank = [story.model_dump() for story in structure.story_bank]
    profile.save(update_fields=["structured_profile", "story_bank", "updated_at"])
    return CVResult(profile=profile, redacted=redaction.counts)


def profile_context_for(*, user, mode: str, preparation_type: str = "", meeting_subtype: str = "") -> dict:
    """The context an interview-mode session inherits from the profile when it is started without one.

    Agenda, tone and role come from the profile; the partner's role and brief from the preparation
    type; up to CONTEXT_STORIES stories from the story bank and the training focus. Language and
    assistant sessions inherit nothing: an interview agenda has no place in a café role-play.
    """
    if mode != "interview":
        return {}
    profile = profile_get_or_create(user=user)
    prep = preparation_type or profile.preparation_type or "Other"
    subtype = meeting_subtype or profile.meeting_subtype
    partner_role, brief = interviewer_brief(preparation_type=prep, meeting_subtype=subtype)
    roles = profile.structured_profile.get("roles") or []
    stories = profile.story_bank[:CONTEXT_STORIES]
    focus = profile.training_focus
    context = {
        "agenda": profile.agenda,
        "tone": profile.tone,
        "role": profile.role or (roles[0].get("title", "") if roles else ""),
        "preparation_type": prep,
        "meeting_subtype": subtype,
        "partner_role": partner_role,
        "partner_brief": brief,
        "stories": " | ".join(
            f"{s.get('title', '')}: {s.get('action', '')} {s.get('result', '')}".strip() for s in stories
        ),
        "story_titles": " | ".join(s.get("title", "") for s in stories),
        "focus_title": focus.get("title", ""),
        "focus_tags": ", ".join(focus.get("tags", [])),
    }
    return {key: value for key, value in context.items() if value}
