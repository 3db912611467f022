"""Learner pages for coaching: profile, training focus and CV, trends, and retrying an evaluation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coaching import selectors, services
from coaching.charts import dimension_chart, humanise
from coaching.forms import CVForm, ProfileForm, RehearsalStartForm, TrainingFocusForm
from config.exceptions import ParleyError
from config.forms import form_error_add
from conversations.exceptions import SessionNotFound
from conversations.models import SessionMode
from conversations.services.sessions import session_get, session_start
from evaluations.services import evaluation_retry

PROFILE_FORMS = {"profile": ProfileForm, "focus": TrainingFocusForm, "cv": CVForm}


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


def _profile_save(request, which: str, data: dict) -> str:
    """Call the service the submitted form stands for; the success message."""
    if which == "profile":
        services.profile_update(user=request.user, **data)
        return "Profile saved."
    if which == "focus":
        services.training_focus_set(user=request.user, **data)
        return "Training focus saved; its agenda template is now your agenda."
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


@login_required
def trends_page(request):
    trends = selectors.trends_get(user=request.user)
    improvements = selectors.improvements_get(user=request.user)
    context = {
        "trends": trends,
        "chart": dimension_chart(trends["dimension_trends"]),
        "recurring": [humanise(dim) for dim in trends["recurring_weaknesses"]],
        "focus_areas": [
            {**area, "label": humanise(area["dimension"]), "latest_label": humanise(area.get("latest_level", ""))}
            for area in improvements["focus_areas"]
        ],
        "recommendations": improvements["recommendations"],
    }
    return render(request, "coaching/trends.html", context)


@login_required
@require_POST
def evaluation_retry_page(request, session_id):
    try:
        session = session_get(user=request.user, session_id=session_id)
    except SessionNotFound as exc:
        raise Http404("Session not found.") from exc
    try:
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
