import pytest

from accounts.tests.factories import UserFactory
from conversations.tests.factories import practice_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/conversations/conversation/",
        "/admin/conversations/practicesession/",
        "/admin/conversations/message/",
        "/admin/ai/aiinteraction/",
        "/admin/evaluations/mistake/",
        "/admin/accounts/user/",
        "/admin/waffle/flag/",
        "/admin/conversations/block/",
    ],
)
def test_operators_can_browse_the_admin(admin_client, user, path):
    practice_session(user=user)

    response = admin_client.get(path + "?q=a")

    assert response.status_code == 200


def test_a_conversation_page_shows_its_members_and_messages(admin_client, user):
    session = practice_session(user=user)

    response = admin_client.get(f"/admin/conversations/conversation/{session.conversation_id}/change/")

    assert response.status_code == 200
    assert session.conversation.messages.first().content in response.content.decode()


def test_the_admin_is_closed_to_learners(client, user):
    client.force_login(user)

    response = client.get("/admin/conversations/practicesession/")

    assert response.status_code == 302
