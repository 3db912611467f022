"""Learner pages for practice sessions: dashboard, chat, settings, end; the inbox. Thin doors onto the services.

The review page after a session is coaching's (coaching.session_review).
"""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ai.providers import primary_name
from config.exceptions import ParleyError
from config.forms import form_error_add
from conversations import selectors
from conversations.exceptions import SessionNotFound
from conversations.forms import FREE_FORM, SessionSettingsForm, SessionStartForm
from conversations.models import MessageRole, MessageState, SessionMode, SessionStatus
from conversations.services import sessions as session_services
from templates.models import Mode, PreparationType
from templates.selectors import template_list

RECENT_SESSIONS = 5
# BCP 47 tags for the `lang` attribute: screen readers pick the right voice, browsers the right glyphs.
LANG_TAGS = {
    "english": "en",
    "japanese": "ja",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "italian": "it",
    "portuguese": "pt",
    "chinese": "zh",
    "korean": "ko",
}


def session_or_404(request, session_id):
    """The learner's session, or a 404 page for another user's or an unknown one."""
    try:
        return selectors.session_get(user=request.user, session_id=session_id)
    except SessionNotFound as exc:
        raise Http404("Session not found.") from exc


# The chat page's side panels that apps above conversations fill (evaluations: the session's mistakes,
# vocabulary: its words), registered from their AppConfig.ready(): `provider(user=, session=)` gives the
# panel's items, the page's context under `name`.
_chat_panels: dict[str, Callable[..., Iterable]] = {}


def chat_panel_register(*, name: str, provider: Callable[..., Iterable]) -> None:
    _chat_panels[name] = provider


def _failed_turn(transcript):
    """The learner's turn whose reply failed last, so the page can offer to retry it."""
    if not transcript or transcript[-1].state != MessageState.FAILED:
        return None
    return next((message for message in reversed(transcript) if message.role == MessageRole.USER), None)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request):
    form = SessionStartForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            free_form = form.cleaned_data["template"] == FREE_FORM
            try:
                session = session_services.session_start(
                    user=request.user,
                    mode=SessionMode.LANGUAGE,
                    **{**form.cleaned_data, "template": None if free_form else form.cleaned_data["template"]},
                    free_form=free_form,
                )
            except ParleyError as exc:
                form_error_add(form, exc)
            else:
                return redirect("session-chat", session_id=session.id)
        status = 400
    recent = selectors.session_list(user=request.user)[:RECENT_SESSIONS]
    context = {
        "form": form,
        "recent": recent,
        "rehearsal_templates": template_list(mode=Mode.INTERVIEW),
        "preparation_types": PreparationType.choices,
    }
    return render(request, "conversations/dashboard.html", context, status=status)


def scenario_context(session) -> dict:
    scenario = selectors.session_scenario(session=session)
    return {"scenario": scenario, "goals_reached": sum(goal["reached"] for goal in scenario["goals"])}


@login_required
def session_chat(request, session_id):
    session = session_or_404(request, session_id)
    transcript = list(selectors.transcript_get(session=session))
    failed_turn = _failed_turn(transcript)
    context = {
        "session": session,
        "transcript": transcript,
        **{name: provider(user=request.user, session=session) for name, provider in _chat_panels.items()},
        "settings_form": SessionSettingsForm(session=session),
        "failed_turn": failed_turn,
        "lang": LANG_TAGS.get(session.language, ""),
        "offline": primary_name() == "offline" or any(m.meta.get("offline") for m in transcript),
        **scenario_context(session),
        "chat_config": {
            "sessionId": str(session.id),
            "language": session.language,
            "conversationId": str(session.conversation_id),
            "open": session.status == SessionStatus.IN_PROGRESS,
            "failedTurn": {"content": failed_turn.content, "clientId": failed_turn.client_id} if failed_turn else None,
        },
    }
    return render(request, "conversations/chat.html", context)


@login_required
@require_POST
def session_settings(request, session_id):
    session = session_or_404(request, session_id)
    form = SessionSettingsForm(request.POST, session=session)
    if form.is_valid():
        try:
            session_services.session_update_settings(session=session, **form.cleaned_data)
        except ParleyError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, "Saved: the partner uses these settings from your next message.")
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("session-chat", session_id=session.id)


@login_required
@require_POST
def session_end(request, session_id):
    session = session_or_404(request, session_id)
    try:
        session = session_services.session_finish(session=session).session
    except ParleyError as exc:
        messages.error(request, exc.message)
    return redirect("session-review", session_id=session.id)


@login_required
def messages_inbox(request, conversation_id=None):
    """The inbox and, when one is chosen, a conversation with people; messages.js fills both live."""
    if conversation_id is not None:
        try:
            selectors.people_conversation_get(user=request.user, conversation_id=conversation_id)
        except ParleyError as exc:
            raise Http404("Conversation not found.") from exc
    config = {"userId": str(request.user.id), "conversationId": str(conversation_id) if conversation_id else None}
    return render(request, "conversations/messages.html", {"messages_config": config})
