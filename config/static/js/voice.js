// Voice in the chat: a play button on every partner message, a slower speed for beginners,
// "conversation mode" (each new reply is read aloud, then the microphone opens) and push-to-talk.
// What was heard lands in the composer for the learner to check before sending.

import { ApiError } from "./api.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const transcript = document.getElementById("transcript");
const composer = document.getElementById("composer");
const input = document.getElementById("composer-input");

const SPEECH_LANGS = {
  japanese: "ja-JP",
  spanish: "es-ES",
  english: "en-US",
  french: "fr-FR",
  german: "de-DE",
  italian: "it-IT",
  portuguese: "pt-PT",
  korean: "ko-KR",
  chinese: "zh-CN",
};
const PREFS_KEY = "parley.voice";
const speechLang = SPEECH_LANGS[config.language] ?? "";
const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

const prefs = { speed: 1, auto: false, ...JSON.parse(localStorage.getItem(PREFS_KEY) || "{}") };
const savePrefs = () => localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));

let capabilities = { speech: false, transcription: false };
let ready = null; // settles once the server has said what it offers
let playing = null; // the <audio> or utterance being heard
let recorder = null;

// ---- hearing -----------------------------------------------------------------------------------

const canHear = () => capabilities.speech || ("speechSynthesis" in window && speechLang);

function stopPlaying() {
  if (playing instanceof HTMLAudioElement) playing.pause();
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  playing = null;
}

async function play(bubble) {
  await ready;
  stopPlaying();
  const button = bubble.querySelector(".play-button");
  return new Promise((resolve) => {
    const done = () => {
      button?.classList.remove("is-playing");
      resolve();
    };
    button?.classList.add("is-playing");
    if (capabilities.speech) {
      const audio = new Audio(`/api/v1/messages/${bubble.dataset.id}/audio?speed=${prefs.speed}`);
      audio.addEventListener("ended", done);
      audio.addEventListener("error", done);
      playing = audio;
      audio.play().catch(done);
    } else {
      const utterance = new SpeechSynthesisUtterance(bubble.querySelector(".bubble-text").textContent);
      utterance.lang = speechLang;
      utterance.rate = prefs.speed;
      utterance.addEventListener("end", done);
      utterance.addEventListener("error", done);
      playing = utterance;
      window.speechSynthesis.speak(utterance);
    }
  });
}

function addPlayButton(bubble) {
  if (bubble.querySelector(".play-button") || !bubble.classList.contains("bubble-assistant")) return;
  if (!bubble.dataset.id || bubble.dataset.state !== "complete" || !canHear()) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "play-button";
  button.textContent = "▶ Play";
  button.setAttribute("aria-label", "Play this message aloud");
  button.addEventListener("click", () => play(bubble));
  bubble.querySelector(".bubble-author").append(button);
}

// ---- speaking ----------------------------------------------------------------------------------

const micMode = () => (capabilities.transcription ? "server" : Recognition && speechLang ? "browser" : null);

function heard(text, micStatus) {
  const words = text.trim();
  micStatus.textContent = words ? `Heard: “${words}”. Check it, then send.` : "Nothing was heard. Try again.";
  if (!words) return;
  input.value = input.value.trim() ? `${input.value.trim()} ${words}` : words;
  input.focus();
}

async function transcribe(blob, micStatus) {
  const form = new FormData();
  form.append("audio", blob, blob.type.includes("ogg") ? "turn.ogg" : "turn.webm");
  micStatus.textContent = "Listening to your recording…";
  const response = await fetch(`/api/v1/sessions/${config.sessionId}/transcribe`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: form,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  heard(data.text, micStatus);
}

async function startRecording(micButton, micStatus) {
  if (recorder) return;
  stopPlaying();
  micButton.classList.add("is-recording");
  micButton.setAttribute("aria-pressed", "true");
  if (micMode() === "browser") {
    recorder = new Recognition();
    recorder.lang = speechLang;
    recorder.addEventListener("result", (event) => heard(event.results[0][0].transcript, micStatus));
    recorder.addEventListener("error", (event) => (micStatus.textContent = `Speech recognition failed (${event.error}).`));
    recorder.addEventListener("end", () => finishRecording(micButton));
    recorder.start();
    micStatus.textContent = "Listening… speak now.";
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    micStatus.textContent = "Parley may not use your microphone. Allow it in your browser to speak your turn.";
    finishRecording(micButton);
    return;
  }
  const type = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus"].find((t) => MediaRecorder.isTypeSupported(t));
  const chunks = [];
  recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
  recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
  recorder.addEventListener("stop", async () => {
    stream.getTracks().forEach((track) => track.stop());
    finishRecording(micButton);
    try {
      await transcribe(new Blob(chunks, { type: recorder?.mimeType || type || "audio/webm" }), micStatus);
    } catch (error) {
      micStatus.textContent = error.message;
    }
  });
  recorder.start();
  micStatus.textContent = "Recording… release (or press again) to stop.";
}

function stopRecording() {
  if (recorder && recorder.state !== "inactive") recorder.stop();
}

function finishRecording(micButton) {
  micButton.classList.remove("is-recording");
  micButton.setAttribute("aria-pressed", "false");
  if (recorder instanceof MediaRecorder && recorder.state !== "inactive") return;
  recorder = null;
}

// ---- controls ----------------------------------------------------------------------------------

function buildControls() {
  const bar = document.createElement("div");
  bar.className = "voice-controls";
  bar.innerHTML = `
    <label class="voice-speed"><span class="voice-speed-name">Speed</span>
      <select id="voice-speed"><option value="0.75">0.75×</option><option value="1">1×</option></select>
    </label>
    <label class="voice-auto"><input type="checkbox" id="voice-auto"> Conversation mode</label>
    <button type="button" id="mic-button" class="button button-secondary mic-button" aria-pressed="false">Hold to talk</button>
    <p id="mic-status" class="help" role="status" aria-live="polite"></p>`;
  (document.getElementById("composer-tools") ?? composer).append(bar);
  const speed = bar.querySelector("#voice-speed");
  const auto = bar.querySelector("#voice-auto");
  const micButton = bar.querySelector("#mic-button");
  const micStatus = bar.querySelector("#mic-status");
  speed.value = String(prefs.speed);
  auto.checked = prefs.auto;
  speed.addEventListener("change", () => {
    prefs.speed = Number(speed.value);
    savePrefs();
  });
  auto.addEventListener("change", () => {
    prefs.auto = auto.checked;
    savePrefs();
  });
  // Push-to-talk: hold the button; a click without holding (keyboard, or a tap) toggles instead.
  let pressedAt = 0;
  micButton.addEventListener("pointerdown", () => {
    pressedAt = Date.now();
    startRecording(micButton, micStatus);
  });
  micButton.addEventListener("pointerup", () => {
    if (Date.now() - pressedAt > 400) stopRecording();
  });
  micButton.addEventListener("click", (event) => {
    if (event.detail === 0) (recorder ? stopRecording : () => startRecording(micButton, micStatus))();
  });
  return { bar, micButton, micStatus };
}

// Once the server has said what it offers: hide what neither it nor the browser can do.
function applyCapabilities({ bar, micButton, micStatus }) {
  if (!canHear()) {
    bar.querySelector(".voice-speed").hidden = true;
    bar.querySelector(".voice-auto").hidden = true;
    transcript.querySelectorAll(".play-button").forEach((button) => button.remove());
  }
  if (!micMode()) {
    micButton.hidden = true;
    micStatus.textContent = "Speaking your turn needs an AI provider or a browser with speech recognition.";
  }
}

function noticeReplies(micButton, micStatus) {
  const heardBefore = new Set([...transcript.querySelectorAll(".bubble[data-id]")].map((b) => b.dataset.id));
  const arrived = (bubble) => {
    if (!bubble.matches?.(".bubble-assistant[data-state='complete'][data-id]")) return;
    addPlayButton(bubble);
    if (heardBefore.has(bubble.dataset.id)) return;
    heardBefore.add(bubble.dataset.id);
    if (!prefs.auto || !canHear()) return;
    play(bubble).then(() => {
      if (prefs.auto && micMode()) startRecording(micButton, micStatus);
    });
  };
  // New bubbles, and bubbles whose reply finished streaming (the deltas themselves are not watched).
  // Two observers: observing one node twice with the same observer replaces the first options.
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(arrived))).observe(transcript, {
    childList: true,
  });
  new MutationObserver((records) => records.forEach((r) => arrived(r.target))).observe(transcript, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-state", "data-id"],
  });
}

async function start() {
  // Everything is laid out before the capabilities arrive, so the chat's first scroll to the newest
  // message is not undone by controls appearing later; what turns out unavailable is then removed.
  const controls = composer && config.open ? buildControls() : null;
  transcript.querySelectorAll(".bubble").forEach(addPlayButton);
  ready = loadCapabilities().then((offered) => (capabilities = offered));
  await ready;
  if (!controls) {
    if (!canHear()) transcript.querySelectorAll(".play-button").forEach((button) => button.remove());
    return;
  }
  applyCapabilities(controls);
  noticeReplies(controls.micButton, controls.micStatus);
}

async function loadCapabilities() {
  try {
    const response = await fetch(`/api/v1/voice?language=${encodeURIComponent(config.language)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return response.ok ? await response.json() : capabilities;
  } catch {
    return capabilities;
  }
}

start();
