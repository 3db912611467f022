// The scenario in the chat: goals in the side panel, ticked as they are reached, and "Help me
// reply" above the message box, whose suggestions go into the box (the learner still sends them,
// and may edit them first). Talks to the socket through chat.js's parley:send / parley:frame.

import { api } from "./api.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const panel = document.getElementById("scenario-panel");
const tools = document.getElementById("composer-tools");
const input = document.getElementById("composer-input");
const sessionId = config.sessionId;

function renderGoals(scenario) {
  for (const goal of scenario.goals) {
    const item = panel.querySelector(`[data-goal-id="${CSS.escape(goal.id)}"]`);
    if (!item) continue;
    item.classList.toggle("goal-reached", goal.reached);
    item.querySelector(".goal-tick").textContent = goal.reached ? "✓" : "";
    item.querySelector(".goal-state").textContent = goal.reached ? "(done)" : "(not yet)";
  }
  document.getElementById("scenario-finished").hidden = !scenario.finished;
  const help = document.getElementById("help-reply");
  if (help) help.hidden = scenario.finished;
}

async function refreshGoals() {
  try {
    renderGoals((await api("GET", `/api/v1/sessions/${sessionId}`)).scenario);
  } catch {
    // The ticks catch up after the next reply; nothing the learner needs to act on.
  }
}

function showHints(hints) {
  const list = document.getElementById("hints");
  list.replaceChildren();
  for (const hint of hints) {
    const item = document.getElementById("tpl-hint").content.firstElementChild.cloneNode(true);
    item.querySelector(".hint-text").textContent = hint.text;
    const reading = item.querySelector(".hint-reading");
    reading.textContent = hint.reading && hint.reading !== hint.text ? hint.reading : "";
    reading.hidden = !reading.textContent;
    item.querySelector(".hint-translation").textContent = hint.translation;
    item.querySelector(".hint-use").dataset.text = hint.text;
    list.append(item);
  }
  document.getElementById("hints-status").textContent = hints.length
    ? "Choose a reply to put it in the message box."
    : "No suggestions right now.";
}

function clearHints() {
  document.getElementById("hints")?.replaceChildren();
  const status = document.getElementById("hints-status");
  if (status) status.textContent = "";
}

if (panel && !panel.hidden && tools && config.open) {
  tools.append(document.getElementById("tpl-hints").content.firstElementChild.cloneNode(true));
  const help = document.getElementById("help-reply");
  help.hidden = !document.getElementById("scenario-finished").hidden;

  help.addEventListener("click", () => {
    help.disabled = true;
    document.dispatchEvent(new CustomEvent("parley:send", { detail: { type: "hints", session_id: sessionId } }));
    // Without an open socket the page asks over REST instead.
    setTimeout(async () => {
      if (!help.disabled) return;
      try {
        showHints((await api("GET", `/api/v1/sessions/${sessionId}/hints`)).hints);
      } catch (error) {
        document.getElementById("hints-status").textContent = error.message;
      } finally {
        help.disabled = false;
      }
    }, 3000);
  });

  document.getElementById("hints").addEventListener("click", (event) => {
    const use = event.target.closest(".hint-use");
    if (!use || !input) return;
    input.value = use.dataset.text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });
}

if (panel && !panel.hidden) {
  // A complete reply may have reached goals; the LLM's own judgement of the turn comes with the
  // turn's analysis (the mistakes frame), a moment later. The suggestions were for the question
  // before the reply, so they go.
  document.addEventListener("parley:frame", (event) => {
    const frame = event.detail;
    if (frame.session_id && frame.session_id !== sessionId) return;
    if (frame.type === "hints") {
      showHints(frame.items);
      document.getElementById("help-reply").disabled = false;
    } else if (frame.type === "ai.message") {
      clearHints();
      refreshGoals();
    } else if (frame.type === "mistakes") {
      refreshGoals();
    }
  });
}
