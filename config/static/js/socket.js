// The page's one socket (docs/websocket.md), shared by every script on the page: ES modules load
// once, so the chat, the messages page and the header all listen on the same connection.
// It reconnects with a jittered backoff; listeners hear every frame, and "open" after each connect.

const MAX_BACKOFF_MS = 10000;
const frameListeners = new Set();
const openListeners = new Set();
const closeListeners = new Set();
let socket = null;
let attempts = 0;

export function onFrame(listener) {
  frameListeners.add(listener);
}

export function onOpen(listener) {
  openListeners.add(listener);
  if (socket?.readyState === WebSocket.OPEN) listener();
}

export function onClose(listener) {
  closeListeners.add(listener);
}

export function isOpen() {
  return socket?.readyState === WebSocket.OPEN;
}

// Frames sent while disconnected are dropped: callers resend what matters on the next "open".
export function send(frame) {
  if (!isOpen()) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws/`);
  socket.addEventListener("open", () => {
    attempts = 0;
    openListeners.forEach((listener) => listener());
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    frameListeners.forEach((listener) => listener(frame));
  });
  socket.addEventListener("close", () => {
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    closeListeners.forEach((listener) => listener());
    setTimeout(connect, delay);
  });
}

export function start() {
  if (!socket) connect();
}
