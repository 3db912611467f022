"""Learner pages for coaching: profile, training focus and CV, trends, and retrying an evaluation."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.throttles import user_call_wait
from coaching import cards, selectors, services
from coaching.charts import dimension_chart, humanise
from coaching.forms import CVForm, HistoryFilterForm, ProfileForm, RehearsalStartForm, TrainingFocusForm
from config.exceptions import ParleyError
from config.forms import form_error_add
from conversations.exceptions import SessionNotFound, Throttled
from conversations.models import SessionMode
from conversations.selectors import session_get
from conversations.services.sessions import session_start
from evaluations.services import evaluation_retry
from templates.selectors import template_list

PROFILE_FORMS = {"profile": ProfileForm, "focus": TrainingFocusForm, "cv": CVForm}
HISTORY_PAGE_SIZE = 20


def _profile_forms(profile) -> dict:
    focus = profile.training_focus
    return {
        "profile": ProfileForm(initial={name: getattr(profile, name) for name in services.PROFILE_FIELDS}),
        "focus": TrainingFocusForm(
            initial={
                "title": focus.get("title", ""),
                "tags": ", ".join(focus.get("tags", [])),
                "agenda_template": focus.get("agenda_template", ""),
            }
        ),
        "cv": CVForm(),
    }


def _partner_call_count(user) -> None:
    """Count a page's call to the partner against the user's API limit (THROTTLE_RATE_USER), as the
    same call over REST is; raises Throttled past it. The offline partner counts against no limit of
    the gateway's, so without this a page would have none."""
    wait = user_call_wait(user=user)
    if wait is not None:
        raise Throttled(f"Too many requests: retry in {math.ceil(wait)} seconds.")


def _profile_save(request, which: str, data: dict) -> str:
    """Call the service the submitted form stands for; the success message."""
    if which == "profile":
        services.profile_update(user=request.user, **data)
        return "Profile saved."
    if which == "focus":
        services.training_focus_set(user=request.user, **data)
        return "Training focus saved; its agenda template is now your agenda."
    _partner_call_count(request.user)
    result = services.cv_ingest(user=request.user, cv_text=data["cv_text"])
    removed = sum(result.redacted.values())
    return f"CV structured. {removed} personal detail{'s' if removed != 1 else ''} removed before storing."


@login_required
@require_http_methods(["GET", "POST"])
def profile_page(request):
    profile = services.profile_get_or_create(user=request.user)
    forms = _profile_forms(profile)
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in PROFILE_FORMS:
            return redirect("profile-page")
        form = forms[which] = PROFILE_FORMS[which](request.POST)
        if form.is_valid():
            try:
                messages.success(request, _profile_save(request, which, form.cleaned_data))
            except ParleyError as exc:
                form_error_add(form, exc)
            else:
                return redirect("profile-page")
        status = 400
        profile.refresh_from_db()
    context = {
        "profile": profile,
        "profile_form": forms["profile"],
        "focus_form": forms["focus"],
        "cv_form": forms["cv"],
    }
    return render(request, "coaching/profile.html", context, status=status)


RUBRIC_TITLES = {"language": "Language practice", "professional": "Interviews, pitches and meetings"}


@login_required
def trends_page(request):
    trends = selectors.trends_get(user=request.user)
    improvements = selectors.improvements_get(user=request.user)
    rubrics = []
    for rubric, part in trends["rubrics"].items():
        plan = improvements["rubrics"].get(rubric, {})
        rubrics.append(
            {
                "rubric": rubric,
                "title": RUBRIC_TITLES.get(rubric, humanise(rubric)),
                "trends": part,
                "chart": dimension_chart(part["dimension_trends"]),
                "recurring": [humanise(dim) for dim in part["recurring_weaknesses"]],
                "focus_areas": [
                    {
                        **area,
                        "label": humanise(area["dimension"]),
                        "latest_label": humanise(area.get("latest_level", "")),
                    }
                    for area in plan.get("focus_areas", [])
                ],
                "recommendations": plan.get("recommendations", []),
            }
        )
    return render(request, "coaching/trends.html", {"trends": trends, "rubrics": rubrics})


@login_required
@require_POST
def evaluation_retry_page(request, session_id):
    try:
        session = session_get(user=request.user, session_id=session_id)
    except SessionNotFound as exc:
        raise Http404("Session not found.") from exc
    try:
        _partner_call_count(request.user)
        evaluation_retry(session=session)
    except ParleyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Evaluation ready.")
    return redirect("session-review", session_id=session.id)


@login_required
@require_POST
def rehearsal_start(request):
    """Start an interview, pitch or meeting rehearsal from the dashboard, with the profile's context as edited there."""
    form = RehearsalStartForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{humanise(field) if field != '__all__' else 'Rehearsal'}: {' '.join(errors)}")
        return redirect("home")
    data = form.cleaned_data
    context = services.profile_context_for(
        user=request.user,
        mode=SessionMode.INTERVIEW,
        preparation_type=data["preparation_type"],
        meeting_subtype=data["meeting_subtype"],
    )
    context.update({key: data[key] for key in ("role", "agenda") if data[key]})
    try:
        session = session_start(
            user=request.user,
            mode=SessionMode.INTERVIEW,
            language=data["language"],
            level=data["level"],
            template=data["template"] or None,
            preparation_type=data["preparation_type"],
            meeting_subtype=data["meeting_subtype"],
            context=context,
            # Without a scenario the rehearsal follows the profile, never a scenario picked for it.
            free_form=not data["template"],
        )
    except ParleyError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    return redirect("session-chat", session_id=session.id)


def _front_parts(front: str) -> list[tuple[str, bool]]:
    """A card's front split at its ** marks: (text, marked) pairs, so the page can <mark> the error."""
    return [(part, index % 2 == 1) for index, part in enumerate(front.split("**")) if part]


@login_required
def review_page(request):
    queue = selectors.review_due_list(user=request.user)
    for card in [*queue["results"], *queue["leeches"]]:
        card["front_parts"] = _front_parts(card["front"])
    languages = sorted({card["language"] for card in queue["results"]})
    return render(request, "coaching/review.html", {"queue": queue, "languages": languages})


@login_required
@require_POST
def review_rate_page(request, card_id):
    try:
        cards.card_review(user=request.user, card_id=card_id, rating=request.POST.get("rating", ""))
    except ParleyError as exc:
        messages.error(request, exc.message)
    return redirect("review-page")


@login_required
@require_POST
def review_practise_page(request):
    language = request.POST.get("language", "").strip().lower()
    level = request.POST.get("level", "beginner").strip().lower() or "beginner"
    try:
        session = session_start(user=request.user, mode=SessionMode.LANGUAGE, language=language, level=level,
                                focus="due")  # fmt: skip
    except ParleyError as exc:
        messages.error(request, exc.message)
        return redirect("review-page")
    return redirect("session-chat", session_id=session.id)


@login_required
def history_page(request):
    filters = HistoryFilterForm(request.GET, templates=template_list())
    # A filter that does not validate is left out; the others still apply.
    filters.is_valid()
    chosen = {name: value for name, value in filters.cleaned_data.items() if value not in ("", None)}
    sessions = selectors.history_list(
        user=request.user,
        status=chosen.pop("status", ""),
        date_from=chosen.pop("date_from", None),
        date_to=chosen.pop("date_to", None),
        **chosen,
    )
    page = Paginator(sessions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "coaching/history.html", {"filters": filters, "page": page, "query": query.urlencode()})
