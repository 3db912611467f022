// Messages between people: the inbox, one conversation at a time, groups and their members.
// Everything goes through the REST endpoints and the page's one socket (docs/websocket.md):
// history and lists over REST, new messages, typing, receipts and presence over the socket.

import { api } from "./api.js";
import { unreadRefreshSoon } from "./header.js";
import { onClose, onFrame, onOpen, send, start } from "./socket.js";

const config = JSON.parse(document.getElementById("messages-config").textContent);
const me = config.userId;
const $ = (id) => document.getElementById(id);
const layout = $("messages-layout");
const inbox = $("inbox");
const threadBody = $("thread-body");
const threadNone = $("thread-none");
const title = $("thread-title");
const statusLine = $("thread-status");
const list = $("thread-messages");
const typingLine = $("thread-typing");
const composer = $("thread-composer");
const input = $("thread-input");
const notice = $("thread-notice");
const membersBox = $("members");

const PAGE = 30;
const TYPING_SHOW_MS = 4000;
const TYPING_SEND_MS = 2000;

const conversations = new Map(); // id -> payload of GET /api/v1/conversations
let current = null; // {id, ...payload} or a draft DM {to, person}
let oldestSeq = null;
let newestSeq = 0;
let hasOlder = false;
let loadingOlder = false;
// Whether the open conversation's latest page is shown: until then a socket that opens must not
// catch up from seq 0, which would bring in every message instead of the latest page.
let historyShown = false;
let typingTimer = null;
let lastTypingSent = 0;

// ---- helpers ---------------------------------------------------------------------------------

const nameOf = (person) => person.display_name || person.username;
const others = (conversation) => conversation.members.filter((member) => member.user_id !== me);
const newClientId = () => crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

function titleOf(conversation) {
  if (conversation.kind === "group") return conversation.name;
  const other = others(conversation)[0];
  return other ? nameOf(other) : conversation.name || "Conversation";
}

function timeLabel(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  const today = new Date().toDateString() === when.toDateString();
  return today
    ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : when.toLocaleDateString([], { day: "numeric", month: "short" });
}

function lastSeenLabel(person) {
  if (person.is_online) return "Online";
  return person.last_seen ? `Last seen ${timeLabel(person.last_seen)}` : "Offline";
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- the inbox -------------------------------------------------------------------------------

function inboxRow(conversation) {
  const row = element("li", "inbox-row");
  row.dataset.id = conversation.id;
  const link = element("a", "inbox-link");
  link.href = `/messages/${conversation.id}/`;
  if (current?.id === conversation.id) link.setAttribute("aria-current", "true");
  const group = conversation.kind === "group";
  const online = others(conversation).some((member) => member.is_online);
  const avatar = element("span", `avatar${online ? " avatar-online" : ""}`, titleOf(conversation).charAt(0).toUpperCase());
  avatar.setAttribute("aria-hidden", "true");
  const body = element("span", "inbox-body");
  const top = element("span", "inbox-top");
  top.append(element("span", "inbox-name", titleOf(conversation)));
  if (group) top.append(element("span", "tag", "group"));
  top.append(element("time", "inbox-time", timeLabel(conversation.last_message?.created_at)));
  const last = conversation.last_message;
  const preview = last ? `${last.sender_id === me ? "You: " : ""}${last.content}` : "No messages yet";
  const bottom = element("span", "inbox-bottom");
  bottom.append(element("span", "inbox-preview", preview));
  if (online) bottom.append(element("span", "visually-hidden", group ? ", someone is online" : ", online"));
  if (conversation.unread_count) {
    const badge = element("span", "count-badge unread", String(conversation.unread_count));
    badge.setAttribute("aria-label", `${conversation.unread_count} unread`);
    bottom.append(badge);
  }
  body.append(top, bottom);
  link.append(avatar, body);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openConversation(conversation.id, { push: true });
  });
  row.append(link);
  return row;
}

function renderInbox() {
  const sorted = [...conversations.values()].sort((a, b) =>
    (b.last_message?.created_at ?? b.created_at).localeCompare(a.last_message?.created_at ?? a.created_at),
  );
  inbox.replaceChildren(...sorted.map(inboxRow));
  $("inbox-empty").hidden = sorted.length > 0;
}

async function loadInbox() {
  const fresh = new Map();
  let path = "/api/v1/conversations?limit=100";
  while (path) {
    const page = await api("GET", path);
    page.results.forEach((conversation) => fresh.set(conversation.id, conversation));
    path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  conversations.clear();
  fresh.forEach((value, key) => conversations.set(key, value));
  if (current?.id && conversations.has(current.id)) {
    Object.assign(current, conversations.get(current.id), { unread_count: 0 });
    renderHeader();
  }
  renderInbox();
}

// ---- one conversation ------------------------------------------------------------------------

function tickFor(seq) {
  const members = current?.members ? others(current) : [];
  if (!members.length) return ["sent", "Sent"];
  if (members.every((member) => member.read_up_to_seq >= seq)) return ["read", "Read"];
  if (members.every((member) => member.delivered_up_to_seq >= seq)) return ["delivered", "Delivered"];
  return ["sent", "Sent"];
}

function setTick(bubble) {
  const tick = bubble.querySelector(".tick");
  if (!tick) return;
  const [state, label] = bubble.dataset.seq ? tickFor(Number(bubble.dataset.seq)) : ["pending", "Sending"];
  tick.className = `tick tick-${state}`;
  tick.textContent = state === "pending" ? "◷" : state === "sent" ? "✓" : "✓✓";
  tick.title = label;
  tick.setAttribute("aria-label", label);
}

function refreshTicks() {
  list.querySelectorAll(".bubble-mine").forEach(setTick);
}

function messageBubble(message) {
  const mine = message.sender_id === me;
  const bubble = element("li", `bubble ${mine ? "bubble-user bubble-mine" : "bubble-assistant"}`);
  bubble.dataset.id = message.id ?? "";
  bubble.dataset.seq = message.seq ?? "";
  bubble.dataset.clientId = message.client_id ?? "";
  if (!mine && current?.kind === "group") {
    const sender = current.members.find((member) => member.user_id === message.sender_id);
    bubble.append(element("p", "bubble-author", sender ? nameOf(sender) : "Former member"));
  }
  bubble.append(element("div", "bubble-text plain", message.content));
  const meta = element("p", "bubble-meta");
  meta.append(element("time", "", timeLabel(message.created_at ?? new Date().toISOString())));
  if (mine) meta.append(element("span", "tick"));
  bubble.append(meta);
  setTick(bubble);
  return bubble;
}

const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 64;

function place(message, { scroll = true } = {}) {
  const known =
    (message.id && list.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) ||
    (message.client_id && list.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`));
  const follow = scroll && nearBottom();
  const bubble = messageBubble(message);
  if (known) known.replaceWith(bubble);
  else {
    const next = [...list.children].find((other) => other.dataset.seq && Number(other.dataset.seq) > message.seq);
    list.insertBefore(bubble, message.seq ? (next ?? null) : null);
  }
  if (message.seq) {
    newestSeq = Math.max(newestSeq, message.seq);
    oldestSeq = oldestSeq === null ? message.seq : Math.min(oldestSeq, message.seq);
  }
  if (follow || message.sender_id === me) list.scrollTop = list.scrollHeight;
}

function markRead() {
  if (!current?.id || !newestSeq || document.hidden) return;
  const mine = current.members.find((member) => member.user_id === me);
  if (mine && mine.read_up_to_seq >= newestSeq) return;
  if (mine) mine.read_up_to_seq = newestSeq;
  // Over REST rather than the socket: the header's unread total is read back once this is stored.
  api("POST", `/api/v1/conversations/${current.id}/read`, { up_to_seq: newestSeq })
    .then(unreadRefreshSoon)
    .catch(() => {});
  const row = conversations.get(current.id);
  if (row?.unread_count) {
    row.unread_count = 0;
    renderInbox();
  }
}

function renderHeader() {
  if (!current) return;
  const person = current.person;
  title.textContent = person ? nameOf(person) : titleOf(current);
  if (person) statusLine.textContent = lastSeenLabel(person);
  else if (current.kind === "group") {
    const online = current.members.filter((member) => member.is_online && member.user_id !== me).length;
    statusLine.textContent = `${current.members.length} members${online ? `, ${online} online` : ""}`;
  } else {
    const other = others(current)[0];
    statusLine.textContent = other ? lastSeenLabel(other) : "";
  }
  renderMembers();
}

function renderMembers() {
  const group = current?.kind === "group";
  membersBox.hidden = !group;
  if (!group) return;
  const owner = current.members.some((member) => member.user_id === me && member.role === "owner");
  const rows = current.members.map((member) => {
    const row = element("li", "member-row");
    const label = `${nameOf(member)}${member.user_id === me ? " (you)" : ""}${member.role === "owner" ? " · owner" : ""}`;
    row.append(element("span", `presence-dot${member.is_online ? " online" : ""}`), element("span", "", label));
    const removable = member.user_id !== me ? owner : member.role !== "owner";
    if (removable) {
      const button = element("button", "link-button", member.user_id === me ? "Leave" : "Remove");
      button.type = "button";
      button.setAttribute("aria-label", member.user_id === me ? "Leave the group" : `Remove ${nameOf(member)}`);
      button.addEventListener("click", () => memberRemove(member));
      row.append(button);
    }
    return row;
  });
  $("member-list").replaceChildren(...rows);
  $("member-add").hidden = !owner;
}

async function memberRemove(member) {
  try {
    await api("DELETE", `/api/v1/groups/${current.id}/members?user_id=${encodeURIComponent(member.user_id)}`);
    if (member.user_id === me) {
      conversations.delete(current.id);
      closeConversation({ push: true });
      renderInbox();
      return;
    }
    current.members = current.members.filter((other) => other.user_id !== member.user_id);
    renderHeader();
  } catch (error) {
    showNotice(error.message);
  }
}

async function memberAdd(person) {
  try {
    const group = await api("POST", `/api/v1/groups/${current.id}/members`, { user_id: person.user_id });
    conversations.set(group.id, group);
    Object.assign(current, group, { unread_count: 0 });
    $("member-query").value = "";
    $("member-results").replaceChildren();
    renderHeader();
    renderInbox();
  } catch (error) {
    showNotice(error.message);
  }
}

function showThread() {
  threadNone.hidden = true;
  threadBody.hidden = false;
  layout.classList.add("thread-open");
  list.replaceChildren();
  oldestSeq = null;
  newestSeq = 0;
  hasOlder = false;
  historyShown = false;
  typingLine.hidden = true;
  olderButton.hidden = true;
  showNotice("");
}

async function loadHistory({ before } = {}) {
  const query = before ? `before_seq=${before}&limit=${PAGE}` : `limit=${PAGE}`;
  const page = await api("GET", `/api/v1/conversations/${current.id}/messages?${query}`);
  hasOlder = Boolean(page.previous);
  return page.results;
}

async function openConversation(id, { push = false } = {}) {
  const conversation = conversations.get(id);
  if (!conversation) {
    closeConversation({ push: false });
    return;
  }
  current = { ...conversation };
  if (push) history.pushState({ id }, "", `/messages/${id}/`);
  showThread();
  renderHeader();
  renderInbox();
  try {
    const messages = await loadHistory();
    if (current?.id !== id) return;
    messages.forEach((message) => place(message, { scroll: false }));
    list.scrollTop = list.scrollHeight;
    lastScrollTop = list.scrollTop;
    olderButton.hidden = !hasOlder;
    historyShown = true;
    // What arrived between the page being read and the socket joining (not connected: onOpen does it).
    send({ type: "sync", conversation_id: id, after_seq: newestSeq });
    markRead();
  } catch (error) {
    showNotice(error.message);
  }
  input.focus();
}

// A DM with someone not written to yet: the first message (sent `to` them) creates the conversation.
function openDraft(person) {
  const existing = [...conversations.values()].find(
    (conversation) => conversation.kind === "direct" && others(conversation)[0]?.user_id === person.user_id,
  );
  if (existing) {
    openConversation(existing.id, { push: true });
    return;
  }
  current = { to: person.user_id, person, members: [] };
  history.pushState({}, "", "/messages/");
  showThread();
  renderHeader();
  renderInbox();
  input.focus();
}

function closeConversation({ push }) {
  current = null;
  threadBody.hidden = true;
  threadNone.hidden = false;
  layout.classList.remove("thread-open");
  if (push) history.pushState({}, "", "/messages/");
  renderInbox();
}

// Older messages come in pages as the reader scrolls up, without moving what they are reading.
let lastScrollTop = 0;

async function loadOlder() {
  if (!hasOlder || loadingOlder || !current?.id || oldestSeq === null) return;
  loadingOlder = true;
  const id = current.id;
  try {
    const messages = await loadHistory({ before: oldestSeq });
    if (current?.id !== id) return;
    const from = list.scrollHeight - list.scrollTop;
    messages.forEach((message) => place(message, { scroll: false }));
    list.scrollTop = list.scrollHeight - from;
    lastScrollTop = list.scrollTop;
  } catch (error) {
    showNotice(error.message);
  } finally {
    loadingOlder = false;
    olderButton.hidden = !hasOlder;
  }
}

// For a short page that does not fill the pane, and for keyboards: older messages on request.
const olderButton = $("older-button");
olderButton.addEventListener("click", loadOlder);

list.addEventListener(
  "scroll",
  () => {
    const upward = list.scrollTop < lastScrollTop;
    lastScrollTop = list.scrollTop;
    if (upward && list.scrollTop < 80) loadOlder();
  },
  { passive: true },
);

window.addEventListener("popstate", () => {
  const match = location.pathname.match(/^\/messages\/([0-9a-f-]{36})\/$/);
  if (match) openConversation(match[1]);
  else closeConversation({ push: false });
});
document.addEventListener("visibilitychange", markRead);
$("back-link").addEventListener("click", (event) => {
  event.preventDefault();
  closeConversation({ push: true });
});

// ---- composing -------------------------------------------------------------------------------

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content || !current) return;
  const clientId = newClientId();
  const frame = { type: "send_message", content, client_id: clientId };
  if (current.id) frame.conversation_id = current.id;
  else frame.to = current.to;
  if (!send(frame)) {
    showNotice("Not connected. Your message is still in the box; send it again in a moment.");
    return;
  }
  showNotice("");
  place({ client_id: clientId, sender_id: me, content, created_at: new Date().toISOString() });
  list.scrollTop = list.scrollHeight;
  input.value = "";
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  composer.requestSubmit();
});

input.addEventListener("input", () => {
  const now = Date.now();
  if (!current?.id || now - lastTypingSent < TYPING_SEND_MS) return;
  lastTypingSent = now;
  send({ type: "typing", conversation_id: current.id });
});

// ---- socket frames ---------------------------------------------------------------------------

function updatePerson(userId, fields) {
  for (const conversation of conversations.values()) {
    conversation.members.filter((member) => member.user_id === userId).forEach((member) => Object.assign(member, fields));
  }
  current?.members?.filter((member) => member.user_id === userId).forEach((member) => Object.assign(member, fields));
  if (current?.person?.user_id === userId) Object.assign(current.person, fields);
}

const handlers = {
  async ack(frame) {
    if (frame.session_id) return;
    const bubble = list.querySelector(`[data-client-id="${CSS.escape(frame.client_id ?? "")}"]`);
    if (current && !current.id && bubble) {
      // The first message to someone: their conversation exists now.
      current.id = frame.conversation_id;
      history.replaceState({ id: current.id }, "", `/messages/${current.id}/`);
      await loadInbox();
      Object.assign(current, conversations.get(current.id));
      delete current.person;
      renderHeader();
      renderInbox();
    }
    if (bubble && current?.id === frame.conversation_id) {
      bubble.dataset.id = frame.message_id;
      bubble.dataset.seq = frame.seq;
      newestSeq = Math.max(newestSeq, frame.seq);
      setTick(bubble);
    }
  },
  message(frame) {
    const message = frame.message;
    const known = conversations.get(message.conversation_id);
    if (!known) {
      // A conversation new to us (someone wrote first, or added us to a group); partner replies
      // in a practice session (no sender) never are.
      if (message.sender_id) loadInbox().catch(() => {});
      return;
    }
    known.last_message = message;
    if (current?.id === message.conversation_id) {
      place(message);
      typingLine.hidden = true;
      markRead();
    } else if (message.sender_id !== me) {
      known.unread_count += 1;
    }
    renderInbox();
  },
  receipt(frame) {
    const fields = {};
    if (frame.delivered_up_to_seq !== undefined) fields.delivered_up_to_seq = frame.delivered_up_to_seq;
    if (frame.read_up_to_seq !== undefined) fields.read_up_to_seq = frame.read_up_to_seq;
    for (const conversation of [conversations.get(frame.conversation_id), current?.id === frame.conversation_id ? current : null]) {
      const member = conversation?.members.find((other) => other.user_id === frame.user_id);
      if (!member) continue;
      for (const [key, value] of Object.entries(fields)) member[key] = Math.max(member[key] ?? 0, value);
    }
    if (current?.id === frame.conversation_id) refreshTicks();
  },
  typing(frame) {
    if (current?.id !== frame.conversation_id || frame.user_id === me) return;
    const who = current.members.find((member) => member.user_id === frame.user_id);
    $("thread-typing-text").textContent = `${who ? nameOf(who) : "Someone"} is typing…`;
    typingLine.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typingLine.hidden = true;
    }, TYPING_SHOW_MS);
  },
  presence(frame) {
    updatePerson(frame.user_id, { is_online: frame.is_online, last_seen: frame.last_seen });
    renderHeader();
    renderInbox();
  },
  async membership(frame) {
    await loadInbox().catch(() => {});
    if (current?.id === frame.conversation_id && !conversations.has(frame.conversation_id)) {
      closeConversation({ push: true });
      showNotice("You are no longer a member of that group.");
    }
  },
  error(frame) {
    if (frame.session_id) return;
    const bubble = frame.client_id && list.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
    if (bubble && !bubble.dataset.seq) {
      // Refused, not stored: the text goes back into the box.
      input.value = bubble.querySelector(".bubble-text").textContent;
      bubble.remove();
    }
    showNotice(frame.message);
  },
};

onFrame((frame) => handlers[frame.type]?.(frame));
onOpen(() => {
  showNotice("");
  if (current?.id && historyShown) send({ type: "sync", conversation_id: current.id, after_seq: newestSeq });
  loadInbox().catch(() => {});
});
onClose(() => showNotice("Connection lost. Reconnecting…"));

// ---- finding people, new groups --------------------------------------------------------------

function personSearch(field, results, onPick, { exclude = () => false } = {}) {
  let timer = null;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = field.value.trim();
      if (!query) {
        results.replaceChildren();
        return;
      }
      try {
        const page = await api("GET", `/api/v1/users?search=${encodeURIComponent(query)}&limit=8`);
        const people = page.results.filter((person) => !exclude(person));
        const rows = people.map((person) => {
          const row = element("li");
          const button = element("button", "person-button");
          button.type = "button";
          button.append(
            element("span", `presence-dot${person.is_online ? " online" : ""}`),
            element("span", "", nameOf(person)),
            element("span", "meta", person.display_name ? `@${person.username}` : ""),
          );
          button.addEventListener("click", () => onPick(person));
          row.append(button);
          return row;
        });
        results.replaceChildren(...(rows.length ? rows : [element("li", "empty", "Nobody found.")]));
      } catch (error) {
        results.replaceChildren(element("li", "field-error", error.message));
      }
    }, 200);
  });
}

personSearch($("people-query"), $("people-results"), (person) => {
  $("people-query").value = "";
  $("people-results").replaceChildren();
  openDraft(person);
});
personSearch($("member-query"), $("member-results"), memberAdd, {
  exclude: (person) => current?.members.some((member) => member.user_id === person.user_id),
});

const dialog = $("group-dialog");
const chosen = new Map();

function renderChosen() {
  $("group-chosen").replaceChildren(
    ...[...chosen.values()].map((person) => {
      const chip = element("li", "chip-person");
      const remove = element("button", "link-button", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${nameOf(person)}`);
      remove.addEventListener("click", () => {
        chosen.delete(person.user_id);
        renderChosen();
      });
      chip.append(element("span", "", nameOf(person)), remove);
      return chip;
    }),
  );
}

personSearch(
  $("group-query"),
  $("group-results"),
  (person) => {
    chosen.set(person.user_id, person);
    $("group-query").value = "";
    $("group-results").replaceChildren();
    renderChosen();
    $("group-query").focus();
  },
  { exclude: (person) => chosen.has(person.user_id) },
);

$("new-group").addEventListener("click", () => {
  chosen.clear();
  renderChosen();
  $("group-form").reset();
  $("group-error").hidden = true;
  dialog.showModal();
});
$("group-cancel").addEventListener("click", () => dialog.close());
$("group-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("group-name").value.trim();
  if (!name) return;
  try {
    const group = await api("POST", "/api/v1/groups", { name, members: [...chosen.keys()] });
    conversations.set(group.id, group);
    dialog.close();
    openConversation(group.id, { push: true });
  } catch (error) {
    $("group-error").textContent = error.message;
    $("group-error").hidden = false;
  }
});

// ---- start -----------------------------------------------------------------------------------

loadInbox()
  .then(() => {
    if (config.conversationId) openConversation(config.conversationId);
  })
  .catch((error) => showNotice(error.message))
  .finally(() => {
    layout.dataset.ready = "true";
  });
start();
