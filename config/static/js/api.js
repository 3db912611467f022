// REST calls from the pages: same-origin session cookie plus Django's CSRF token.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `Request failed (${status}).`);
    this.status = status;
    this.code = body?.code;
  }
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Mastery checkboxes in a vocabulary list: checked is "mastered", unchecked goes back to "learning".
export function bindMasteryToggles(list, onError) {
  list.addEventListener("change", async (event) => {
    const box = event.target.closest(".mastery-toggle");
    if (!box) return;
    const id = box.closest("[data-id]").dataset.id;
    box.disabled = true;
    try {
      await api("PATCH", `/api/v1/vocabulary/${id}`, { mastery: box.checked ? "mastered" : "learning" });
    } catch (error) {
      box.checked = !box.checked;
      onError(error.message);
    } finally {
      box.disabled = false;
    }
  });
}
