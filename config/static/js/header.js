// The header's Messages link shows the unread total, kept current over the page's socket.
// The count is read back from the server (the sum over GET /api/v1/conversations) whenever a
// message or a read may have changed it, so every tab agrees with the server.

import { api } from "./api.js";
import { onFrame, onOpen, start } from "./socket.js";

const badge = document.getElementById("unread-total");
const me = document.querySelector('meta[name="user-id"]')?.content;
let timer = null;

export async function unreadRefresh() {
  try {
    let total = 0;
    let path = "/api/v1/conversations?limit=100";
    while (path) {
      const page = await api("GET", path);
      total += page.results.reduce((sum, conversation) => sum + conversation.unread_count, 0);
      path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
    }
    badge.textContent = total ? String(total) : "";
    badge.hidden = !total;
    badge.setAttribute("aria-label", `${total} unread`);
  } catch {
    // The badge is a hint: a failed refresh keeps the last count until the next message.
  }
}

export function unreadRefreshSoon() {
  clearTimeout(timer);
  timer = setTimeout(unreadRefresh, 300);
}

onFrame((frame) => {
  const sender = frame.message?.sender_id;
  if (frame.type === "message" && sender && sender !== me) unreadRefreshSoon();
  if (frame.type === "membership") unreadRefreshSoon();
});
onOpen(unreadRefreshSoon);
start();
