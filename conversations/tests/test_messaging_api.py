"""Messaging between people over REST: groups, people, blocks, lists, history, sending, receipts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import tokens_for
from conversations.models import Membership, MembershipRole, Message
from conversations.services import messaging

pytestmark = pytest.mark.django_db


def person(username: str, **extra) -> User:
    # No password: hashing one (argon2) would cost more than the test itself.
    return User.objects.create(username=username, email=f"{username}@example.com", password="!", **extra)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['token']}")
    return client


@pytest.fixture
def alice():
    return person("alice")


@pytest.fixture
def bob():
    return person("bob")


@pytest.fixture
def carol():
    return person("carol")


@pytest.fixture
def group(alice, bob, carol):
    return messaging.group_create(owner=alice, name="Study group", member_ids=[str(bob.id), str(carol.id)])


def members_url(group) -> str:
    return f"/api/v1/groups/{group.id}/members"


def test_creating_a_group_makes_the_caller_its_owner(alice, bob, carol):
    response = client_for(alice).post(
        "/api/v1/groups/", {"name": "Family", "members": [str(bob.id), str(carol.id)]}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "group"
    assert body["name"] == "Family"
    roles = {m["username"]: m["role"] for m in body["members"]}
    assert roles == {"alice": "owner", "bob": "member", "carol": "member"}
    assert all("email" not in member for member in body["members"])


@pytest.mark.parametrize(
    "payload,status",
    [({"name": "", "members": []}, 400), ({"name": "x", "members": ["not-a-user"]}, 404), ({"members": []}, 400)],
)
def test_creating_a_group_validates_its_input(alice, payload, status):
    response = client_for(alice).post("/api/v1/groups", payload, format="json")

    assert response.status_code == status, response.content
    assert set(response.json()) >= {"error", "code"}


def test_the_owner_adds_a_member(alice, group):
    dave = person("dave")

    response = client_for(alice).post(members_url(group), {"user_id": str(dave.id)}, format="json")

    assert response.status_code == 200, response.content
    assert "dave" in {m["username"] for m in response.json()["members"]}


def test_adding_members_is_the_owners_alone(bob, group):
    dave = person("dave")

    as_member = client_for(bob).post(members_url(group), {"user_id": str(dave.id)}, format="json")
    as_stranger = client_for(dave).post(members_url(group), {"user_id": str(dave.id)}, format="json")

    assert as_member.status_code == 403
    assert as_stranger.status_code == 404
    assert not Membership.objects.filter(conversation=group, user=dave).exists()


def test_a_removed_member_can_no_longer_read_or_send(alice, carol, group):
    messaging.message_send(sender=alice, conversation_id=group.id, content="before")

    removed = client_for(alice).delete(members_url(group), {"user_id": str(carol.id)}, format="json")
    history = client_for(carol).get(f"/api/v1/conversations/{group.id}/messages")
    send = client_for(carol).post(f"/api/v1/conversations/{group.id}/messages", {"content": "hi"}, format="json")
    listed = client_for(carol).get("/api/v1/conversations")

    assert removed.status_code == 204
    assert history.status_code == 404
    assert send.status_code == 404
    assert listed.json()["count"] == 0
    assert Membership.objects.get(conversation=group, user=carol).left_at is not None


def test_a_member_may_leave_but_not_remove_others(bob, carol, group):
    other = client_for(bob).delete(members_url(group), {"user_id": str(carol.id)}, format="json")
    leave = client_for(bob).delete(members_url(group), {"user_id": str(bob.id)}, format="json")

    assert other.status_code == 403
    assert leave.status_code == 204
    assert Membership.objects.get(conversation=group, user=bob).left_at is not None
    assert Membership.objects.get(conversation=group, user=carol).left_at is None


def test_an_owner_who_leaves_hands_the_group_to_the_earliest_member(alice, bob, group):
    client_for(alice).delete(members_url(group), {"user_id": str(alice.id)}, format="json")

    assert Membership.objects.get(conversation=group, user=bob).role == MembershipRole.OWNER


def test_people_are_found_by_prefix_without_showing_their_email(alice):
    person("bobby", display_name="Robert")
    person("zed", display_name="Bobcat")
    person("xavier")
    client = client_for(alice)

    by_name = client.get("/api/v1/users?search=bob").json()
    by_email = client.get("/api/v1/users/?search=xav").json()
    everyone = client.get("/api/v1/users?limit=2").json()

    assert [p["username"] for p in by_name["results"]] == ["bobby", "zed"]
    assert [p["username"] for p in by_email["results"]] == ["xavier"]
    assert everyone["count"] == 3 and len(everyone["results"]) == 2 and everyone["next"]
    assert "alice" not in {p["username"] for p in everyone["results"]}
    assert all("email" not in p and "@" not in str(p) for p in by_name["results"] + everyone["results"])


def test_blocking_refuses_direct_messages_until_unblocked(alice, bob):
    conversation = messaging.direct_get_or_create(user=alice, other_id=bob.id)
    url = f"/api/v1/conversations/{conversation.id}/messages"

    blocked = client_for(bob).post(f"/api/v1/users/{alice.id}/block", format="json")
    refused = client_for(alice).post(url, {"content": "hello?"}, format="json")
    also_refused = client_for(bob).post(url, {"content": "hello?"}, format="json")
    unblocked = client_for(bob).delete(f"/api/v1/users/{alice.id}/block")
    allowed = client_for(alice).post(url, {"content": "hello?"}, format="json")

    assert blocked.status_code == 201
    assert (refused.status_code, refused.json()["code"]) == (403, "blocked")
    assert also_refused.status_code == 403
    assert unblocked.status_code == 204
    assert allowed.status_code == 201


def test_blocking_an_unknown_user_or_oneself_fails(alice):
    assert client_for(alice).post("/api/v1/users/00000000-0000-0000-0000-000000000000/block").status_code == 404
    oneself = client_for(alice).post(f"/api/v1/users/{alice.id}/block")
    assert (oneself.status_code, oneself.json()["code"]) == (403, "block_self")


def test_sending_over_rest_returns_the_message_and_a_resend_returns_the_original(alice, group):
    url = f"/api/v1/conversations/{group.id}/messages"
    client = client_for(alice)

    first = client.post(url, {"content": "hello", "client_id": "r1"}, format="json")
    again = client.post(url, {"content": "hello", "client_id": "r1"}, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["seq"] == 1
    assert Message.objects.filter(conversation=group).count() == 1
    group.refresh_from_db()
    assert group.last_message_at is not None


def test_a_client_id_used_in_another_conversation_is_not_answered_with_that_message(alice, bob, group):
    # Resends were matched on (sender, client_id) alone: any conversation id, even a malformed
    # one, got the first message back as a 200.
    client = client_for(alice)
    client.post(f"/api/v1/conversations/{group.id}/messages", {"content": "hello", "client_id": "r1"}, format="json")
    other = messaging.group_create(owner=alice, name="Book club", member_ids=[str(bob.id)])

    elsewhere = client.post(f"/api/v1/conversations/{other.id}/messages", {"content": "hi", "client_id": "r1"})
    nowhere = client.post("/api/v1/conversations/null,null/messages", {"content": "hi", "client_id": "r1"})

    assert (elsewhere.status_code, elsewhere.json()["code"]) == (409, "client_id_reused")
    assert nowhere.status_code == 404
    assert not Message.objects.filter(conversation=other).exists()


@pytest.mark.parametrize("content", ["", "x" * 10_001, "bell\x07"])
def test_sending_invalid_content_over_rest_is_a_400(alice, group, content):
    response = client_for(alice).post(f"/api/v1/conversations/{group.id}/messages", {"content": content}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Message.objects.exists()


def test_sending_too_fast_over_rest_is_a_429_with_retry_after(alice, group, settings):
    settings.MESSAGE_RATE = "2/3600s"
    url = f"/api/v1/conversations/{group.id}/messages"
    client = client_for(alice)

    statuses = [client.post(url, {"content": f"{n}"}, format="json") for n in range(3)]

    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert statuses[-1].json()["code"] == "throttled"
    assert 1 <= int(statuses[-1]["Retry-After"]) <= 3601


def test_history_pages_back_and_forth_in_chronological_order(alice, group):
    for n in range(1, 8):
        messaging.message_send(sender=alice, conversation_id=group.id, content=f"m{n}")
    client = client_for(alice)
    url = f"/api/v1/conversations/{group.id}/messages"

    latest = client.get(f"{url}?limit=3").json()
    older = client.get(latest["previous"]).json()
    newer = client.get(f"{url}?after_seq=2&limit=2").json()
    by_query = client.get(f"/api/v1/messages?conversation={group.id}&before_seq=3").json()

    assert [m["seq"] for m in latest["results"]] == [5, 6, 7]
    assert latest["next"] is None
    assert [m["seq"] for m in older["results"]] == [2, 3, 4]
    assert [m["seq"] for m in newer["results"]] == [3, 4]
    assert "after_seq=4" in newer["next"]
    assert [m["content"] for m in by_query["results"]] == ["m1", "m2"]
    assert by_query["previous"] is None


def test_history_with_both_cursors_gives_the_messages_between(alice, group):
    for n in range(1, 8):
        messaging.message_send(sender=alice, conversation_id=group.id, content=f"m{n}")

    between = client_for(alice).get(f"/api/v1/conversations/{group.id}/messages?after_seq=2&before_seq=6")

    assert between.status_code == 200, between.content
    assert [m["seq"] for m in between.json()["results"]] == [3, 4, 5]


def test_the_conversation_list_is_latest_first_with_unread_counts_and_last_message(alice, bob, carol, group):
    direct = messaging.direct_get_or_create(user=alice, other_id=bob.id)
    messaging.message_send(sender=bob, conversation_id=direct.id, content="dm")
    for n in range(3):
        messaging.message_send(sender=bob, conversation_id=group.id, content=f"g{n}")
    messaging.message_send(sender=alice, conversation_id=group.id, content="mine")
    client = client_for(alice)

    before = client.get("/api/v1/conversations").json()["results"]
    read = client.post(f"/api/v1/conversations/{group.id}/read", {"up_to_seq": 2}, format="json")
    after = client.get("/api/v1/conversations/").json()["results"]

    assert [c["id"] for c in before] == [str(group.id), str(direct.id)]
    assert [c["unread_count"] for c in before] == [3, 1]
    assert before[0]["last_message"]["content"] == "mine"
    assert {m["username"] for m in before[1]["members"]} == {"alice", "bob"}
    assert read.json()["read_up_to_seq"] == 2
    assert after[0]["unread_count"] == 1


def test_the_conversation_list_costs_the_same_queries_for_one_or_ten(alice, django_assert_num_queries):
    client = client_for(alice)

    def build(n: int) -> None:
        for i in range(n):
            friend = person(f"friend{Membership.objects.count()}-{i}")
            messaging.message_send(sender=friend, to=alice.id, content="hi")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/conversations").status_code == 200
        return len(captured)

    build(1)
    one = queries_for_list()
    build(9)
    with django_assert_num_queries(one):
        ten = client.get("/api/v1/conversations").json()

    assert ten["count"] == 10
    assert one <= 6


def test_the_practice_conversations_are_not_in_the_people_list(alice):
    practice = messaging.Conversation.objects.create(kind="practice", created_by=alice)
    Membership.objects.create(conversation=practice, user=alice)

    assert client_for(alice).get("/api/v1/conversations").json()["count"] == 0
    assert client_for(alice).get(f"/api/v1/conversations/{practice.id}/messages").status_code == 404


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", "/api/v1/conversations/{id}/messages", None),
        ("get", "/api/v1/messages?conversation={id}", None),
        ("post", "/api/v1/conversations/{id}/messages", {"content": "hi"}),
        ("post", "/api/v1/conversations/{id}/read", {"up_to_seq": 1}),
        ("delete", "/api/v1/groups/{id}/members", {"user_id": "{me}"}),
        ("get", "/api/v1/conversations/not-a-uuid/messages", None),
    ],
)
def test_a_non_member_gets_404_everywhere(group, method, path, body):
    stranger = person("stranger")
    body = {k: v.format(me=stranger.id) if isinstance(v, str) else v for k, v in (body or {}).items()} or None

    response = getattr(client_for(stranger), method)(path.format(id=group.id), body, format="json")

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


def test_the_direct_conversation_race_ends_in_one_conversation(alice, bob, monkeypatch):
    # given bob's first message created the DM between alice's lookup and her insert
    real_find = messaging._direct_find

    def lookup_that_loses_the_race(key):
        monkeypatch.setattr(messaging, "_direct_find", real_find)
        messaging.message_send(sender=bob, to=alice.id, content="hi alice")
        return None

    monkeypatch.setattr(messaging, "_direct_find", lookup_that_loses_the_race)
    # when alice's first message goes through
    message, created = messaging.message_send(sender=alice, to=bob.id, content="hi bob")
    # then both messages are in the one conversation
    assert created
    assert messaging.Conversation.objects.filter(kind="direct").count() == 1
    assert list(Message.objects.filter(conversation=message.conversation).values_list("seq", flat=True)) == [1, 2]


def test_options_on_blocking_answers_the_allowed_methods_not_a_server_error(alice, bob):
    response = client_for(alice).options(f"/api/v1/users/{bob.id}/block")

    assert response.status_code == 200, response.content
    assert {"POST", "DELETE"} <= {method.strip() for method in response["Allow"].split(",")}
