// The chat page: one socket, replies streamed into bubbles, the side panel kept current.
// Every message is keyed by its id (and, before the ack, by the client_id we gave it), so frames
// replayed by `sync` after a reconnect never duplicate a bubble.

import { api, bindMasteryToggles } from "./api.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const transcript = document.getElementById("transcript");
const typing = document.getElementById("typing");
const banner = document.getElementById("ai-banner");
const retryButton = document.getElementById("retry-button");
const notice = document.getElementById("notice");
const status = document.getElementById("connection");
const composer = document.getElementById("composer");
const input = document.getElementById("composer-input");
const mistakeList = document.getElementById("mistakes");
const vocabularyList = document.getElementById("vocabulary");
const offlineNote = document.getElementById("offline-note");
const addButton = document.getElementById("add-vocabulary");

const FAILED_TEXT = "The partner could not answer this message.";
const MAX_BACKOFF_MS = 10000;

let socket = null;
let attempts = 0;
let lastSeq = 0;
const seenSeqs = new Set();
const unacked = new Map(); // client_id -> user_message frame, resent after a reconnect until acked
const streams = new Map(); // message_id -> {base, baseIndex, pieces}

// ---- small helpers -------------------------------------------------------------------------

const clone = (id) => document.getElementById(id).content.firstElementChild.cloneNode(true);
const byData = (list, key, value) => (value ? list.querySelector(`[data-${key}="${CSS.escape(value)}"]`) : null);
const typeLabel = (type) => (type.charAt(0).toUpperCase() + type.slice(1)).replace(/_/g, " ");

function newClientId() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function say(text) {
  status.textContent = text;
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function setEmptyHint(name, empty) {
  document.querySelector(`[data-empty-for="${name}"]`).hidden = !empty;
}

// The resume cursor only moves over an unbroken run of seqs, so nothing missed is ever skipped.
function markSeen(seq) {
  if (!seq) return;
  seenSeqs.add(seq);
  while (seenSeqs.has(lastSeq + 1)) lastSeq += 1;
}

function scrollToEnd() {
  transcript.scrollTop = transcript.scrollHeight;
}

// ---- bubbles -------------------------------------------------------------------------------

function placeBubble(bubble) {
  const seq = Number(bubble.dataset.seq);
  if (!seq) {
    if (!bubble.isConnected) transcript.append(bubble);
    return;
  }
  const next = [...transcript.children].find(
    (other) => other !== bubble && (!other.dataset.seq || Number(other.dataset.seq) > seq),
  );
  if (bubble.nextElementSibling !== next || !bubble.isConnected) transcript.insertBefore(bubble, next ?? null);
}

function newBubble(role) {
  const bubble = clone("tpl-bubble");
  bubble.className = `bubble bubble-${role}`;
  bubble.querySelector(".author-name").textContent = role === "user" ? "You" : "Partner";
  bubble.querySelector(".bubble-text").textContent = "";
  return bubble;
}

function setOffline(bubble, offline) {
  if (!offline || bubble.querySelector(".tag-offline")) return;
  const tag = document.createElement("span");
  tag.className = "tag tag-offline";
  tag.textContent = "offline";
  bubble.querySelector(".bubble-author").append(" ", tag);
  offlineNote.hidden = false;
}

function renderMessage(message) {
  if (message.conversation_id && config.conversationId && message.conversation_id !== config.conversationId) return;
  const bubble =
    byData(transcript, "id", message.id) || byData(transcript, "client-id", message.client_id) || newBubble(message.role);
  bubble.dataset.id = message.id;
  bubble.dataset.seq = message.seq;
  bubble.dataset.state = message.state;
  bubble.dataset.clientId = message.client_id || "";
  bubble.classList.toggle("bubble-failed", message.state === "failed");
  setOffline(bubble, message.offline);
  if (message.state === "streaming") {
    bubble.setAttribute("aria-busy", "true");
  } else {
    streams.delete(message.id);
    bubble.removeAttribute("aria-busy");
    bubble.querySelector(".bubble-text").textContent = message.state === "failed" ? FAILED_TEXT : message.content;
  }
  placeBubble(bubble);
  markSeen(message.seq);
  if (message.client_id) unacked.delete(message.client_id);
}

function markFailed(messageId) {
  const bubble = byData(transcript, "id", messageId) || newBubble("assistant");
  bubble.dataset.id = messageId;
  bubble.dataset.state = "failed";
  bubble.classList.add("bubble-failed");
  bubble.removeAttribute("aria-busy");
  bubble.querySelector(".bubble-text").textContent = FAILED_TEXT;
  streams.delete(messageId);
  placeBubble(bubble);
}

// Deltas are kept by index: a repeat is ignored, a snapshot (after a reconnect) replaces the text
// so far, and only an unbroken run after the snapshot is shown.
function applyDelta(frame) {
  let stream = streams.get(frame.message_id);
  if (!stream) {
    stream = { base: "", baseIndex: -1, pieces: new Map() };
    streams.set(frame.message_id, stream);
  }
  if (frame.snapshot) {
    stream.base = frame.delta;
    stream.baseIndex = frame.index;
  } else if (frame.index > stream.baseIndex) {
    stream.pieces.set(frame.index, frame.delta);
  }
  let text = stream.base;
  for (let index = stream.baseIndex + 1; stream.pieces.has(index); index += 1) text += stream.pieces.get(index);

  let bubble = byData(transcript, "id", frame.message_id);
  if (!bubble) {
    bubble = newBubble("assistant");
    bubble.dataset.id = frame.message_id;
    bubble.dataset.state = "streaming";
    placeBubble(bubble);
  }
  if (bubble.dataset.state !== "streaming") return;
  bubble.setAttribute("aria-busy", "true");
  bubble.querySelector(".bubble-text").textContent = text;
  typing.hidden = true;
  scrollToEnd();
}

// ---- side panel ----------------------------------------------------------------------------

function addMistake(item) {
  if (byData(mistakeList, "id", item.id)) return;
  const entry = clone("tpl-mistake");
  entry.dataset.id = item.id;
  const chip = entry.querySelector(".chip");
  chip.className = `chip chip-${item.type}`;
  chip.textContent = typeLabel(item.type);
  entry.querySelector("del").textContent = item.original;
  entry.querySelector("ins").textContent = item.correction;
  entry.querySelector(".mistake-explanation").textContent = item.explanation;
  mistakeList.append(entry);
  setEmptyHint("mistakes", false);
}

function addVocabulary(item) {
  const known = byData(vocabularyList, "id", item.id);
  const entry = known || clone("tpl-vocabulary");
  entry.dataset.id = item.id;
  entry.querySelector(".phrase").textContent = item.phrase;
  entry.querySelector(".reading").textContent = item.reading || "";
  entry.querySelector(".translation").textContent = item.translation || "";
  entry.querySelector(".mastery-toggle").checked = item.mastery === "mastered";
  entry.querySelector(".mastery-phrase").textContent = `: ${item.phrase}`;
  if (!known) vocabularyList.append(entry);
  setEmptyHint("vocabulary", false);
}

// ---- the outage banner ---------------------------------------------------------------------

let failedTurn = config.failedTurn;

function lastUserTurn() {
  const bubbles = transcript.querySelectorAll(".bubble-user");
  const last = bubbles[bubbles.length - 1];
  return last ? { content: last.querySelector(".bubble-text").textContent, clientId: last.dataset.clientId } : null;
}

function showOutage() {
  failedTurn = lastUserTurn();
  retryButton.hidden = !failedTurn?.clientId;
  banner.hidden = false;
}

function hideOutage() {
  banner.hidden = true;
  failedTurn = null;
}

retryButton.addEventListener("click", () => {
  if (!failedTurn?.clientId) return;
  const { content, clientId } = failedTurn;
  hideOutage();
  typing.hidden = false;
  send({ type: "user_message", session_id: config.sessionId, content, client_id: clientId });
});

// ---- the socket ----------------------------------------------------------------------------

function send(frame) {
  if (frame.type === "user_message") unacked.set(frame.client_id, frame);
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function sync() {
  socket.send(JSON.stringify({ type: "sync", session_id: config.sessionId, after_seq: lastSeq }));
}

const handlers = {
  ack(frame) {
    if (frame.session_id !== config.sessionId) return;
    const bubble = byData(transcript, "client-id", frame.client_id) || byData(transcript, "id", frame.message_id);
    if (bubble) {
      bubble.dataset.id = frame.message_id;
      bubble.dataset.seq = frame.seq;
      bubble.dataset.state = "complete";
      placeBubble(bubble);
    }
    markSeen(frame.seq);
    unacked.delete(frame.client_id);
  },
  message(frame) {
    renderMessage(frame.message);
  },
  "ai.typing"(frame) {
    if (frame.session_id === config.sessionId) typing.hidden = false;
  },
  "ai.delta"(frame) {
    if (frame.session_id === config.sessionId) applyDelta(frame);
  },
  "ai.message"(frame) {
    if (frame.session_id !== config.sessionId) return;
    typing.hidden = true;
    hideOutage();
    renderMessage(frame.message);
    scrollToEnd();
  },
  mistakes(frame) {
    if (frame.session_id === config.sessionId) frame.items.forEach(addMistake);
  },
  vocabulary(frame) {
    if (frame.session_id === config.sessionId) frame.items.forEach(addVocabulary);
  },
  synced(frame) {
    if (frame.more) {
      sync();
      return;
    }
    // Turns sent while we were away, or whose ack was lost: the server stores each client_id once.
    for (const pending of unacked.values()) socket.send(JSON.stringify(pending));
  },
  error(frame) {
    if (frame.session_id && frame.session_id !== config.sessionId) return;
    typing.hidden = true;
    if (frame.code === "ai_unavailable") {
      if (frame.message_id) markFailed(frame.message_id);
      showOutage();
      return;
    }
    const pending = frame.client_id && byData(transcript, "client-id", frame.client_id);
    if (pending && !pending.dataset.id) {
      // The turn was refused, not stored: give the text back so nothing typed is lost.
      unacked.delete(frame.client_id);
      input.value = pending.querySelector(".bubble-text").textContent;
      pending.remove();
    }
    showNotice(frame.message);
  },
};

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws/`);
  socket.addEventListener("open", () => {
    attempts = 0;
    say("");
    sync();
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    handlers[frame.type]?.(frame);
  });
  socket.addEventListener("close", () => {
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    say("Connection lost. Reconnecting…");
    setTimeout(connect, delay);
  });
}

// ---- composing -----------------------------------------------------------------------------

composer?.addEventListener("submit", (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content) return;
  showNotice("");
  const frame = { type: "user_message", session_id: config.sessionId, content, client_id: newClientId() };
  const bubble = newBubble("user");
  bubble.dataset.clientId = frame.client_id;
  bubble.dataset.state = "pending";
  bubble.querySelector(".bubble-text").textContent = content;
  transcript.append(bubble);
  scrollToEnd();
  input.value = "";
  input.focus();
  send(frame);
});

input?.addEventListener("keydown", (event) => {
  // Enter while an input method is composing (kana to kanji) confirms the conversion, it never sends.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  composer.requestSubmit();
});

// ---- add to vocabulary from a selection ----------------------------------------------------

let selected = null;

function sentenceAround(text, phrase) {
  const sentences = text.split(/(?<=[。！？!?.])\s*|\n+/);
  return (sentences.find((sentence) => sentence.includes(phrase)) ?? text).trim();
}

function currentSelection() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const phrase = selection.toString().trim();
  if (!phrase || phrase.length > 200) return null;
  const range = selection.getRangeAt(0);
  const node = range.commonAncestorContainer;
  const text = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest(".bubble-text");
  const bubble = text?.closest(".bubble");
  if (!bubble || !transcript.contains(bubble) || !bubble.dataset.id) return null;
  return { phrase, range, bubble, text };
}

function placeAddButton() {
  if (!selected) return;
  const box = selected.range.getBoundingClientRect();
  const clamp = (value, low, high) => Math.max(low, Math.min(high, value));
  addButton.style.top = `${clamp(box.bottom + 8, 8, window.innerHeight - 56)}px`;
  addButton.style.left = `${clamp(box.left, 8, window.innerWidth - 190)}px`;
}

document.addEventListener("selectionchange", () => {
  selected = currentSelection();
  addButton.hidden = !selected;
  placeAddButton();
});
transcript.addEventListener("scroll", placeAddButton, { passive: true });
window.addEventListener("scroll", placeAddButton, { passive: true });

// Keep the selection when the button is pressed with a pointer.
addButton.addEventListener("pointerdown", (event) => event.preventDefault());

addButton.addEventListener("click", async () => {
  if (!selected) return;
  const { phrase, bubble, text } = selected;
  addButton.hidden = true;
  try {
    const item = await api("POST", "/api/v1/vocabulary", {
      phrase,
      context_sentence: sentenceAround(text.textContent, phrase),
      source_message: bubble.dataset.id,
      language: config.language,
    });
    addVocabulary(item);
    say(`Added ${item.phrase} to your vocabulary.`);
    document.getSelection().removeAllRanges();
  } catch (error) {
    showNotice(error.message);
  }
});

bindMasteryToggles(vocabularyList, showNotice);

// A reply still being written when the page was rendered is asked for again by the first sync.
for (const bubble of transcript.children) {
  if (bubble.dataset.state !== "streaming") markSeen(Number(bubble.dataset.seq));
}
if (config.open) connect();
