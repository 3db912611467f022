// The chat page: one socket, replies streamed into bubbles, the side panel kept current.
// Every message is keyed by its id (and, before the ack, by the client_id we gave it), so frames
// replayed by `sync` after a reconnect never duplicate a bubble.

import { api, bindMasteryToggles } from "./api.js";
import { renderMarkdown } from "./markdown.js";
import { onClose, onFrame, onOpen, send as socketSend, start } from "./socket.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const transcript = document.getElementById("transcript");
const typing = document.getElementById("typing");
const banner = document.getElementById("ai-banner");
const retryButton = document.getElementById("retry-button");
const notice = document.getElementById("notice");
const status = document.getElementById("connection");
const composer = document.getElementById("composer");
const input = document.getElementById("composer-input");
const sendButton = document.getElementById("send-button");
const stopButton = document.getElementById("stop-button");
const mistakeList = document.getElementById("mistakes");
const vocabularyList = document.getElementById("vocabulary");
const offlineNote = document.getElementById("offline-note");
const addButton = document.getElementById("add-vocabulary");
const panel = document.getElementById("side-panel");
const panelToggle = document.getElementById("panel-toggle");
const panelCount = document.getElementById("panel-count");

const FAILED_TEXT = "The partner could not answer this message.";
// Replies the learner replaced (regenerated, or an edited turn and its reply) leave the transcript.
const GONE = "superseded";

let lastSeq = 0;
const seenSeqs = new Set();
const unacked = new Map(); // client_id -> turn frame, resent after a reconnect until acked
const streams = new Map(); // message_id -> {base, baseIndex, pieces}
// Replies replaced by the learner: a frame of theirs still on its way (a delta sent before the stop
// reached the writer) must not bring the bubble back.
const gone = new Set();
let editing = null; // the user bubble being edited, while the composer holds its text

// ---- small helpers -------------------------------------------------------------------------

const clone = (id) => document.getElementById(id).content.firstElementChild.cloneNode(true);
const byData = (list, key, value) => (value ? list.querySelector(`[data-${key}="${CSS.escape(value)}"]`) : null);
const typeLabel = (type) => (type.charAt(0).toUpperCase() + type.slice(1)).replace(/_/g, " ");
const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));

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

// Follow new text only when the learner is already at the bottom: reading back is never yanked away.
// Only the learner's own scrolling unpins the pane: layout shifts (furigana, Markdown, controls loading)
// also fire scroll events, and must not read as "scrolled away".
let pinned = true;
let touchedAt = 0;
for (const type of ["wheel", "touchmove", "keydown", "pointerdown"]) {
  transcript.addEventListener(type, () => (touchedAt = Date.now()), { passive: true });
}
transcript.addEventListener(
  "scroll",
  () => {
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 48;
    if (atBottom || Date.now() - touchedAt < 1000) pinned = atBottom;
  },
  { passive: true },
);

function scrollToEnd(force = false) {
  if (force || pinned) transcript.scrollTop = transcript.scrollHeight;
}
// The pane shrinks when tools load into the composer or the keyboard opens: the newest stays in view.
new ResizeObserver(() => scrollToEnd()).observe(transcript);
// Bubbles also grow after the first scroll (furigana, a reply's Markdown, play buttons): a pane pinned to
// the newest message follows its content too.
// Furigana are CSS-generated content, so a bubble's own size is watched, not only its nodes.
const bubbleGrowth = new ResizeObserver(() => scrollToEnd());
transcript.querySelectorAll(".bubble").forEach((bubble) => bubbleGrowth.observe(bubble));
new MutationObserver((records) => {
  for (const record of records) {
    record.addedNodes.forEach((node) => node.classList?.contains("bubble") && bubbleGrowth.observe(node));
  }
  scrollToEnd();
}).observe(transcript, { childList: true, subtree: true, characterData: true });

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

function setText(bubble, text) {
  const node = bubble.querySelector(".bubble-text");
  if (bubble.classList.contains("bubble-user")) node.textContent = text;
  else renderMarkdown(node, text);
  bubble.dataset.content = text;
}

function setOffline(bubble, offline) {
  if (!offline || bubble.querySelector(".tag-offline")) return;
  const tag = document.createElement("span");
  tag.className = "tag tag-offline";
  tag.textContent = "offline";
  bubble.querySelector(".bubble-author").append(" ", tag);
  offlineNote.hidden = false;
}

function setStopped(bubble, stopped) {
  const known = bubble.querySelector(".tag-stopped");
  if (!stopped || known) return;
  const tag = document.createElement("span");
  tag.className = "tag tag-stopped";
  tag.textContent = "stopped";
  bubble.querySelector(".bubble-author").append(" ", tag);
}

function renderMessage(message) {
  if (message.conversation_id && config.conversationId && message.conversation_id !== config.conversationId) return;
  const known = byData(transcript, "id", message.id) || byData(transcript, "client-id", message.client_id);
  markSeen(message.seq);
  if (message.client_id) unacked.delete(message.client_id);
  if (message.state === GONE) {
    gone.add(message.id);
    known?.remove();
    streams.delete(message.id);
    dropMistakes(message.id);
    refreshControls();
    return;
  }
  const bubble = known || newBubble(message.role);
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
    setStopped(bubble, message.state === "stopped");
    if (message.state === "failed") bubble.querySelector(".bubble-text").textContent = FAILED_TEXT;
    else setText(bubble, message.content);
    emit("parley:bubble", bubble);
  }
  placeBubble(bubble);
  refreshControls();
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
  refreshControls();
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
  setText(bubble, text);
  typing.hidden = true;
  refreshControls();
  scrollToEnd();
}

// ---- stop, regenerate, edit ----------------------------------------------------------------

const replying = () => !typing.hidden || Boolean(transcript.querySelector('.bubble[data-state="streaming"]'));

function lastBubble(role) {
  const bubbles = transcript.querySelectorAll(`.bubble-${role}`);
  return bubbles[bubbles.length - 1] ?? null;
}

function actionButton(bubble, name, label, onClick) {
  let row = bubble.querySelector(".bubble-actions");
  if (!row) {
    row = document.createElement("div");
    row.className = "bubble-actions";
    bubble.append(row);
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = `link-button action-${name}`;
  button.textContent = label;
  button.addEventListener("click", onClick);
  row.append(button);
}

// Only the last turn and the last reply can be changed, and only while nothing is being written.
function refreshControls() {
  if (!composer) return;
  const busy = replying();
  stopButton.hidden = !busy;
  sendButton.hidden = busy;
  transcript.querySelectorAll(".bubble-actions").forEach((row) => row.remove());
  if (busy) return;
  const reply = lastBubble("assistant");
  const turn = lastBubble("user");
  const last = transcript.lastElementChild;
  if (reply && last === reply && reply.dataset.id && turn) {
    actionButton(reply, "regenerate", "Regenerate", regenerate);
  }
  if (turn?.dataset.id && (last === turn || last === reply) && turn !== editing) {
    actionButton(turn, "edit", "Edit", () => editStart(turn));
  }
}

function stop() {
  send({ type: "stop", session_id: config.sessionId });
}

function regenerate() {
  showNotice("");
  hideOutage();
  typing.hidden = false;
  refreshControls();
  send({ type: "regenerate", session_id: config.sessionId, client_id: newClientId() });
}

function editStart(bubble) {
  editing = bubble;
  bubble.classList.add("bubble-editing");
  input.value = bubble.dataset.content ?? bubble.querySelector(".bubble-text").textContent;
  composer.classList.add("composer-editing");
  say("Editing your last message: Send replaces it and asks for a new reply; Escape cancels.");
  refreshControls();
  input.focus();
}

function editCancel() {
  editing?.classList.remove("bubble-editing");
  editing = null;
  composer.classList.remove("composer-editing");
  input.value = "";
  say("");
  refreshControls();
}

stopButton?.addEventListener("click", stop);

// ---- side panel ----------------------------------------------------------------------------

function countMistakes() {
  const count = mistakeList.children.length;
  panelCount.textContent = String(count);
  panelCount.hidden = !count;
}

function addMistake(item) {
  if (byData(mistakeList, "id", item.id)) return;
  const entry = clone("tpl-mistake");
  entry.dataset.id = item.id;
  entry.dataset.messageId = item.message_id;
  const chip = entry.querySelector(".chip");
  chip.className = `chip chip-${item.type}`;
  chip.textContent = typeLabel(item.type);
  entry.querySelector("del").textContent = item.original;
  entry.querySelector("ins").textContent = item.correction;
  entry.querySelector(".mistake-explanation").textContent = item.explanation;
  mistakeList.append(entry);
  setEmptyHint("mistakes", false);
  countMistakes();
}

// An edited turn's findings are recomputed: the ones on the replaced text leave the panel.
function dropMistakes(messageId) {
  mistakeList.querySelectorAll(`[data-message-id="${CSS.escape(messageId)}"]`).forEach((entry) => entry.remove());
  setEmptyHint("mistakes", !mistakeList.children.length);
  countMistakes();
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

// On narrow screens the panel is a drawer over the chat.
function panelOpen(open) {
  panel.classList.toggle("open", open);
  panelToggle.setAttribute("aria-expanded", String(open));
  // Focus moves once the drawer is shown (it is not focusable while hidden).
  if (open) requestAnimationFrame(() => panel.querySelector("#panel-close").focus());
  else panelToggle.focus();
}
panelToggle.addEventListener("click", () => panelOpen(!panel.classList.contains("open")));
document.getElementById("panel-close").addEventListener("click", () => panelOpen(false));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && panel.classList.contains("open")) panelOpen(false);
});

// ---- the outage banner ---------------------------------------------------------------------

let failedTurn = config.failedTurn;

function lastUserTurn() {
  const last = lastBubble("user");
  return last ? { content: last.dataset.content ?? last.textContent, clientId: last.dataset.clientId } : null;
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
  refreshControls();
  send({ type: "user_message", session_id: config.sessionId, content, client_id: clientId });
});

// ---- the socket ----------------------------------------------------------------------------

function send(frame) {
  if (frame.client_id && frame.type !== "regenerate") unacked.set(frame.client_id, frame);
  socketSend(frame);
}

function sync() {
  socketSend({ type: "sync", session_id: config.sessionId, after_seq: lastSeq });
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
    refreshControls();
  },
  message(frame) {
    renderMessage(frame.message);
  },
  "ai.typing"(frame) {
    if (frame.session_id !== config.sessionId) return;
    typing.hidden = false;
    refreshControls();
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
    if (frame.session_id !== config.sessionId) return;
    frame.items.forEach(addMistake);
  },
  vocabulary(frame) {
    if (frame.session_id === config.sessionId) frame.items.forEach(addVocabulary);
  },
  synced(frame) {
    if (frame.conversation_id && frame.conversation_id !== config.conversationId) return;
    if (frame.more) {
      sync();
      return;
    }
    // Turns sent while we were away, or whose ack was lost: the server stores each client_id once.
    for (const pending of unacked.values()) socketSend(pending);
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
      input.value = pending.dataset.content ?? pending.textContent;
      pending.remove();
    }
    if (frame.client_id) unacked.delete(frame.client_id);
    refreshControls();
    showNotice(frame.message);
  },
};

onFrame((frame) => {
  // A replaced reply never comes back: whatever still arrives about it (see `gone`) is not shown.
  if (!gone.has(frame.message_id ?? frame.message?.id)) handlers[frame.type]?.(frame);
  emit("parley:frame", frame);
});
onOpen(() => {
  say("");
  sync();
});
onClose(() => say("Connection lost. Reconnecting…"));
document.addEventListener("parley:send", (event) => socketSend(event.detail));

// ---- composing -----------------------------------------------------------------------------

composer?.addEventListener("submit", (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content || replying()) return;
  showNotice("");
  const clientId = newClientId();
  const frame = editing
    ? { type: "edit", session_id: config.sessionId, message_id: editing.dataset.id, content, client_id: clientId }
    : { type: "user_message", session_id: config.sessionId, content, client_id: clientId };
  if (editing) {
    // The server answers with the replaced turn and reply as superseded, then the new turn.
    editing.classList.remove("bubble-editing");
    editing = null;
    composer.classList.remove("composer-editing");
    say("");
  }
  const bubble = newBubble("user");
  bubble.dataset.clientId = clientId;
  bubble.dataset.state = "pending";
  setText(bubble, content);
  transcript.append(bubble);
  scrollToEnd(true);
  input.value = "";
  input.focus();
  send(frame);
  typing.hidden = false;
  refreshControls();
});

input?.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && editing) {
    editCancel();
    return;
  }
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
      context_sentence: sentenceAround(bubble.dataset.content ?? text.textContent, phrase),
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
  const text = bubble.querySelector(".bubble-text");
  if (bubble.classList.contains("bubble-user")) bubble.dataset.content = text.textContent;
}
refreshControls();
scrollToEnd(true);
if (config.open) start();
// Until now Enter in the composer would only start a new line; tests wait for this mark.
transcript.dataset.ready = "true";
