// Reading aids for Japanese chats: furigana over the kanji and romaji under each message (two toggles,
// remembered per learner), and a dictionary card for a tapped or selected word with "Add to vocabulary"
// and "Correct reading".
// chat.js owns .bubble-text and rewrites its text as a reply streams in; each new text is annotated again.

import { api } from "./api.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const transcript = document.getElementById("transcript");
const tools = document.getElementById("chat-tools");
const card = document.getElementById("dictionary-card");
const vocabularyList = document.getElementById("vocabulary");

const pendingFor = new WeakMap(); // bubble -> its latest annotation request, so a late answer is dropped
let settings = { furigana: true, romaji: false };
let current = null; // the word the card is about: {text, base, bubble}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- toggles -------------------------------------------------------------------------------

function applySettings() {
  transcript.classList.toggle("show-furigana", settings.furigana);
  transcript.classList.toggle("show-romaji", settings.romaji);
  for (const name of ["furigana", "romaji"]) {
    const box = document.getElementById(`toggle-${name}`);
    if (box) box.checked = settings[name];
  }
}

function buildToggles() {
  for (const [name, label] of [
    ["furigana", "Furigana"],
    ["romaji", "Romaji"],
  ]) {
    const wrapper = element("label", "reading-toggle");
    const box = element("input");
    box.type = "checkbox";
    box.id = `toggle-${name}`;
    box.addEventListener("change", async () => {
      settings = { ...settings, [name]: box.checked };
      applySettings();
      try {
        settings = await api("PUT", "/api/v1/readings/settings", { [name]: box.checked });
      } catch (error) {
        showError(error.message);
      }
    });
    wrapper.append(box, ` ${label}`);
    tools.append(wrapper);
  }
}

// ---- annotation ----------------------------------------------------------------------------

// The words and ruby go inside .bubble-text, text node by text node so a partner's formatting (paragraphs,
// bold, lists) stays; the readings are CSS-generated content (rt::before), so the element's textContent,
// what chat.js reads and what a selection copies, stays the message as written.
function textNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  return nodes;
}

function unwrap(root) {
  for (const rt of root.querySelectorAll("rt")) rt.remove();
  for (const node of root.querySelectorAll("ruby, .ja-word")) node.replaceWith(...node.childNodes);
  root.normalize();
}

function wordSpan(word) {
  const span = element("span", "ja-word");
  span.dataset.base = word.base;
  span.dataset.text = word.text;
  span.tabIndex = 0;
  return span;
}

// Segments are positions in the text nodes joined by "\n"; each node gets the parts of the segments over it.
function renderAnnotation(bubble, nodes, annotation) {
  const pieces = [];
  let position = 0;
  for (const segment of annotation.segments) {
    pieces.push({ ...segment, start: position, end: position + segment.text.length });
    position += segment.text.length;
  }
  let start = 0;
  for (const node of nodes) {
    const end = start + node.data.length;
    const fragment = document.createDocumentFragment();
    let span = null;
    let spanWord;
    for (const piece of pieces) {
      if (piece.end <= start || piece.start >= end) continue;
      const text = piece.text.slice(Math.max(start - piece.start, 0), end - piece.start);
      const whole = piece.start >= start && piece.end <= end;
      let target = fragment;
      if (piece.word !== undefined) {
        if (spanWord !== piece.word) {
          span = wordSpan(annotation.words[piece.word]);
          spanWord = piece.word;
          fragment.append(span);
        }
        target = span;
      } else {
        spanWord = undefined;
      }
      if (piece.reading && whole) {
        const ruby = element("ruby");
        const rt = element("rt");
        rt.dataset.reading = piece.reading;
        ruby.append(text, rt);
        target.append(ruby);
      } else {
        target.append(text);
      }
    }
    if (fragment.textContent === node.data) node.replaceWith(fragment);
    start = end + 1;
  }
  const original = bubble.querySelector(".bubble-text");
  const romaji = bubble.querySelector(".bubble-romaji") || element("p", "bubble-romaji");
  romaji.lang = "ja-Latn";
  romaji.textContent = annotation.romaji;
  if (!romaji.isConnected) original.after(romaji);
}

async function annotate(bubble, force = false) {
  const original = bubble.querySelector(".bubble-text");
  if (!original || bubble.dataset.state === "streaming" || bubble.dataset.state === "failed") return;
  if (original.querySelector(".ja-word") && !force) return;
  unwrap(original);
  const nodes = textNodes(original);
  const text = nodes.map((node) => node.data).join("\n");
  bubble.querySelector(".bubble-romaji")?.remove();
  if (!/[\u3040-\u30ff\u3400-\u9fff]/.test(text)) return;
  const token = {};
  pendingFor.set(bubble, token);
  try {
    const annotation = await api("POST", "/api/v1/annotate", { text, language: "japanese" });
    // chat.js may have set a new text meanwhile: then its own event brings a fresh annotation.
    if (pendingFor.get(bubble) === token && nodes.every((node) => node.isConnected)) {
      renderAnnotation(bubble, nodes, annotation);
    }
  } catch (error) {
    bubble.querySelector(".bubble-romaji")?.remove();
  }
}

function annotateAll(force = false) {
  for (const bubble of transcript.querySelectorAll(".bubble")) annotate(bubble, force);
}

// chat.js tells when it has set a bubble's final text (a reply done, a message edited or regenerated).
document.addEventListener("parley:bubble", (event) => annotate(event.detail, true));

// ---- the dictionary card -------------------------------------------------------------------

function showError(text) {
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.hidden = false;
}

function closeCard() {
  card.hidden = true;
  current = null;
}

function sentenceAround(text, phrase) {
  const sentences = text.split(/(?<=[。！？!?.])\s*|\n+/);
  return (sentences.find((sentence) => sentence.includes(phrase)) ?? text).trim();
}

function placeCard(anchor) {
  const box = anchor.getBoundingClientRect();
  const clamp = (value, low, high) => Math.max(low, Math.min(high, value));
  card.style.top = `${clamp(box.bottom + 8, 8, window.innerHeight - card.offsetHeight - 8)}px`;
  card.style.left = `${clamp(box.left, 8, window.innerWidth - card.offsetWidth - 8)}px`;
}

async function openCard(word, anchor) {
  current = word;
  card.replaceChildren(element("p", "dictionary-loading", "Looking up…"));
  card.hidden = false;
  placeCard(anchor);
  let entries = [];
  try {
    const query = new URLSearchParams({ q: word.base || word.text, language: "japanese", limit: "3" });
    entries = (await api("GET", `/api/v1/dictionary?${query}`)).entries;
  } catch (error) {
    card.replaceChildren(element("p", "dictionary-empty", error.message));
    return;
  }
  if (current !== word) return;
  card.replaceChildren();
  const close = element("button", "dictionary-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", closeCard);
  card.append(close);
  if (!entries.length) card.append(element("p", "dictionary-empty", `No dictionary entry for ${word.text}.`));
  entries.forEach((entry, index) => card.append(entryBlock(entry, word, index === 0)));
  card.append(correctionForm(word));
  placeCard(anchor);
  card.querySelector("button.dictionary-add")?.focus();
}

function entryBlock(entry, word, first) {
  const block = element("section", "dictionary-entry");
  const head = element("p", "dictionary-head");
  const written = element("span", "dictionary-word", entry.word);
  written.lang = "ja";
  const reading = element("span", "dictionary-reading", entry.reading);
  reading.lang = "ja";
  head.append(written, " ", reading);
  block.append(head);
  if (entry.accent) block.append(accentLine(entry.accent));
  if (entry.pos.length) block.append(element("p", "dictionary-pos", entry.pos.join(", ")));
  const glosses = element("ol", "dictionary-glosses");
  for (const gloss of entry.glosses) glosses.append(element("li", "", gloss));
  block.append(glosses);
  const add = element("button", `button ${first ? "" : "button-secondary "}dictionary-add`, "Add to vocabulary");
  add.type = "button";
  add.addEventListener("click", () => addWord(entry, word, add));
  block.append(add);
  return block;
}

// The usual high/low line over the morae, with a following particle (が) showing whether the pitch
// stays up (a flat word) or drops (橋が against 端が), and the dictionary's accent number.
function accentLine(accent) {
  const line = element("p", "pitch-accent");
  const levels = accent.morae.map((mora) => (mora.high ? "high" : "low")).join(", ");
  line.setAttribute("aria-label", `Pitch accent ${accent.nucleus}: ${levels}, then ${accent.next_high ? "high" : "low"}`);
  let previous = null;
  const mora = (kana, high, extra = "") => {
    const changed = previous !== null && previous !== high ? " mora-change" : "";
    const span = element("span", `mora ${high ? "mora-high" : "mora-low"}${changed}${extra}`, kana);
    span.lang = "ja";
    span.setAttribute("aria-hidden", "true");
    previous = high;
    return span;
  };
  for (const each of accent.morae) line.append(mora(each.kana, each.high));
  line.append(mora("が", accent.next_high, " mora-particle"));
  line.append(element("span", "pitch-number", `[${accent.nucleus}]`));
  return line;
}

async function addWord(entry, word, button) {
  button.disabled = true;
  try {
    const item = await api("POST", "/api/v1/vocabulary", {
      phrase: entry.word,
      reading: entry.reading,
      translation: entry.glosses[0] || "",
      context_sentence: sentenceAround(word.bubble.querySelector(".bubble-text").textContent, word.text),
      source_message: word.bubble.dataset.id || null,
      language: config.language,
    });
    showInPanel(item);
    button.textContent = `Added ${item.phrase}`;
  } catch (error) {
    button.disabled = false;
    showError(error.message);
  }
}

// The side panel's list is chat.js's; a new item goes in from its own template, the way chat.js adds one.
function showInPanel(item) {
  if (!vocabularyList || vocabularyList.querySelector(`[data-id="${CSS.escape(item.id)}"]`)) return;
  const entry = document.getElementById("tpl-vocabulary").content.firstElementChild.cloneNode(true);
  entry.dataset.id = item.id;
  entry.querySelector(".phrase").textContent = item.phrase;
  entry.querySelector(".reading").textContent = item.reading || "";
  entry.querySelector(".translation").textContent = item.translation || "";
  entry.querySelector(".mastery-phrase").textContent = `: ${item.phrase}`;
  vocabularyList.append(entry);
  const empty = document.querySelector('[data-empty-for="vocabulary"]');
  if (empty) empty.hidden = true;
}

function correctionForm(word) {
  const form = element("form", "reading-correction");
  const label = element("label", "", `Reading of ${word.text}`);
  const input = element("input");
  input.id = "reading-correction-input";
  input.lang = "ja";
  input.required = true;
  input.placeholder = "in hiragana";
  label.htmlFor = input.id;
  const save = element("button", "button button-secondary", "Correct reading");
  save.type = "submit";
  form.append(label, input, save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/readings/corrections", {
        word: word.text,
        reading: input.value.trim(),
        language: "japanese",
      });
      closeCard();
      annotateAll(true);
    } catch (error) {
      showError(error.message);
    }
  });
  return form;
}

function wordOf(span) {
  return { text: span.dataset.text, base: span.dataset.base, bubble: span.closest(".bubble") };
}

// A tap or a click on a word opens its card (a selection is chat.js's: its own "Add to vocabulary").
transcript.addEventListener("click", (event) => {
  const span = event.target.closest(".ja-word");
  const selection = document.getSelection();
  if (!span || (selection && !selection.isCollapsed)) return;
  openCard(wordOf(span), span);
});
transcript.addEventListener("keydown", (event) => {
  const span = event.target.closest?.(".ja-word");
  if (span && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    openCard(wordOf(span), span);
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !card.hidden) closeCard();
});
document.addEventListener("click", (event) => {
  if (!card.hidden && !card.contains(event.target) && !event.target.closest(".ja-word")) closeCard();
});

// ---- start ---------------------------------------------------------------------------------

if (config.language === "japanese") {
  buildToggles();
  api("GET", "/api/v1/readings/settings")
    .then((saved) => {
      settings = saved;
    })
    .catch(() => {})
    .finally(() => {
      applySettings();
      annotateAll();
    });
}
