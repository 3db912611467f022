import { api, bindMasteryToggles } from "./api.js";

const status = document.getElementById("review-status");
const say = (text) => { status.textContent = text; };

document.querySelector(".review-list")?.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-rating]");
  if (!button) return;
  const card = button.closest(".review-card");
  const phrase = card.querySelector(".phrase").textContent;
  card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    await api("POST", `/api/v1/vocabulary/${card.dataset.id}/review`, { rating: button.dataset.rating });
    card.remove();
    say(`Reviewed ${phrase}: ${button.textContent}.`);
    if (!document.querySelector(".review-card")) {
      document.querySelector('[data-empty-for="review"]').hidden = false;
    }
  } catch (error) {
    card.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    say(error.message);
  }
});

const list = document.querySelector(".vocab-list");
if (list) bindMasteryToggles(list, say);
