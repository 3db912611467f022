// The scenario list follows the chosen language and level; the server checks the pair again.

const form = document.getElementById("start-form");
const language = form.elements.language;
const level = form.elements.level;
const scenario = form.elements.template;

function filterScenarios() {
  for (const option of scenario.options) {
    if (option.dataset.any) continue;
    const fits = option.dataset.language === language.value && option.dataset.level === level.value;
    option.hidden = !fits;
    option.disabled = !fits;
  }
  if (scenario.selectedOptions[0]?.disabled) {
    const first = [...scenario.options].find((option) => !option.disabled && !option.dataset.any);
    scenario.value = first ? first.value : "";
  }
}

language.addEventListener("change", filterScenarios);
level.addEventListener("change", filterScenarios);
filterScenarios();
