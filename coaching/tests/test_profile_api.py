from coaching.models import Profile
from conversations.models import PracticeSession
from evaluations.services import evaluation_request_build


def test_first_read_creates_the_profile_with_defaults(auth_client, user):
    response = auth_client.get("/api/v1/profile")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tone"] == "Professional & Confident"
    assert body["preparation_type"] == "Interview"
    assert body["story_bank"] == [] and body["training_focus"] == {}
    assert Profile.objects.filter(user=user).count() == 1


def test_it_needs_a_token(api_client, db):
    assert api_client.get("/api/v1/profile").status_code == 401


def test_put_updates_only_the_fields_sent(auth_client, user):
    auth_client.put("/api/v1/profile", {"agenda": "Practise STAR"}, format="json")

    response = auth_client.put("/api/v1/profile", {"preparation_type": "Sales", "role": "Account executive"},
                               format="json")  # fmt: skip

    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=user)
    assert (profile.preparation_type, profile.role, profile.agenda) == ("Sales", "Account executive", "Practise STAR")


def test_put_refuses_an_unknown_preparation_type_with_the_envelope(auth_client, user):
    response = auth_client.put("/api/v1/profile", {"preparation_type": "Dating"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "preparation_type" in body["fields"]


def test_put_cannot_write_cv_text_around_the_redaction(auth_client, user):
    auth_client.put("/api/v1/profile", {"cv_text": "jane@example.com"}, format="json")

    assert Profile.objects.get(user=user).cv_text == ""


def test_training_focus_also_sets_the_agenda(auth_client, user):
    focus = {"title": "Structure (STAR)", "tags": ["Structure", "Behavioral"], "agenda_template": "Answer 2 questions"}

    response = auth_client.put("/api/v1/profile/training-focus", focus, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["training_focus"] == focus
    assert response.json()["agenda"] == "Answer 2 questions"


def test_training_focus_needs_a_title(auth_client, user):
    response = auth_client.put("/api/v1/profile/training-focus", {"tags": []}, format="json")

    assert response.status_code == 400 and "title" in response.json()["fields"]


def test_an_interview_session_without_context_inherits_the_profile(auth_client, user):
    # given a profile with a focus and a story bank
    auth_client.put("/api/v1/profile", {"tone": "Warm", "role": "Backend engineer", "meeting_subtype": "Behavioral"},
                    format="json")  # fmt: skip
    auth_client.put("/api/v1/profile/training-focus", {"title": "STAR", "tags": ["Structure"],
                    "agenda_template": "Two behavioural questions"}, format="json")  # fmt: skip
    Profile.objects.filter(user=user).update(story_bank=[{"title": "Led the payments rollback", "result": "40 min"}])

    # when a session starts without a context
    response = auth_client.post("/api/v1/sessions", {"mode": "interview", "language": "english",
                                "level": "intermediate"}, format="json")  # fmt: skip

    # then its context carries the profile and the interviewer's brief
    context = PracticeSession.objects.get(id=response.json()["session_id"]).context
    assert context["agenda"] == "Two behavioural questions"
    assert context["tone"] == "Warm" and context["role"] == "Backend engineer"
    assert context["partner_role"] == "the interviewer (Behavioral)"
    assert "Led the payments rollback" in context["stories"]
    assert context["focus_title"] == "STAR"


def test_a_given_context_is_kept_and_language_sessions_inherit_nothing(auth_client, user):
    auth_client.put("/api/v1/profile", {"agenda": "Pitch deck"}, format="json")
    given = auth_client.post("/api/v1/sessions", {"mode": "interview", "language": "english", "level": "intermediate",
                             "context": {"agenda": "Mine"}}, format="json")  # fmt: skip
    language = auth_client.post("/api/v1/sessions", {"mode": "language", "language": "english",
                                "level": "intermediate"}, format="json")  # fmt: skip

    assert PracticeSession.objects.get(id=given.json()["session_id"]).context == {"agenda": "Mine"}
    assert PracticeSession.objects.get(id=language.json()["session_id"]).context == {}


def test_options_answers_the_allowed_methods_not_a_server_error(auth_client, user):
    # OPTIONS used to build the view's serializer, which a view reading its own input has not got: a 500.
    response = auth_client.options("/api/v1/profile")

    assert response.status_code == 200, response.content
    assert {"GET", "PUT"} <= {method.strip() for method in response["Allow"].split(",")}
    assert response.json()["name"]


def test_an_evaluation_of_a_session_with_its_own_context_looks_for_the_training_focus(auth_client, user):
    auth_client.put("/api/v1/profile/training-focus", {"title": "STAR", "tags": []}, format="json")
    given = auth_client.post("/api/v1/sessions", {"mode": "interview", "language": "english", "level": "intermediate",
                             "context": {"agenda": "Mine"}}, format="json")  # fmt: skip

    request = evaluation_request_build(session=PracticeSession.objects.get(id=given.json()["session_id"]))

    assert request.focus == "STAR"
