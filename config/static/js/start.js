// The dashboard's two ways to start. Language: only the scenarios of the chosen language and
// level are shown (the server checks the pair again); with none, Free conversation is chosen and
// the learner is told so. Rehearsal: the fields start from the coaching profile.

import { api } from "./api.js";

const form = document.getElementById("start-form");
const language = form.elements.language;
const level = form.elements.level;
const free = form.querySelector('input[name="template"][value="free"]');
const noScenario = document.getElementById("no-scenario");

function filterScenarios() {
  let shown = 0;
  for (const scenario of form.querySelectorAll(".scenario[data-language]")) {
    const fits = scenario.dataset.language === language.value && scenario.dataset.level === level.value;
    scenario.hidden = !fits;
    scenario.querySelector("input").disabled = !fits;
    if (fits) shown += 1;
  }
  for (const situation of form.querySelectorAll(".situation")) {
    situation.hidden = !situation.querySelector(".scenario:not([hidden])");
  }
  noScenario.hidden = shown > 0;
  const checked = form.querySelector('input[name="template"]:checked');
  if (!checked || checked.disabled) {
    const first = form.querySelector('.scenario[data-language]:not([hidden]) input');
    (first ?? free).checked = true;
  }
}

language.addEventListener("change", filterScenarios);
level.addEventListener("change", filterScenarios);
filterScenarios();

const rehearsal = document.getElementById("rehearsal-form");
const preparation = rehearsal.elements.preparation_type;
const scenario = rehearsal.elements.template;

function filterRehearsals() {
  for (const option of scenario.options) {
    if (!option.value) continue;
    option.hidden = option.dataset.preparation !== preparation.value;
  }
  if (scenario.selectedOptions[0]?.hidden) scenario.value = "";
}

rehearsal.addEventListener("change", (event) => {
  if (event.target.name === "kind") {
    preparation.value = event.target.dataset.preparation;
    rehearsal.elements.meeting_subtype.value = event.target.value === "meeting" ? "Status update" : "";
  }
  if (event.target.name === "kind" || event.target === preparation) filterRehearsals();
});

async function prefill() {
  try {
    const profile = await api("GET", "/api/v1/profile");
    if (profile.preparation_type) {
      preparation.value = profile.preparation_type;
      const kind = { Pitch: "pitch", Sales: "pitch", Corporate: "meeting", Presentation: "meeting" }[profile.preparation_type];
      if (kind) rehearsal.querySelector(`input[name="kind"][value="${kind}"]`).checked = true;
    }
    rehearsal.elements.meeting_subtype.value = profile.meeting_subtype || "";
    rehearsal.elements.role.value = profile.role || "";
    rehearsal.elements.agenda.value = profile.agenda || "";
  } catch {
    // Without the profile the fields stay empty; the server still fills the context from it.
  }
  filterRehearsals();
}
prefill();
