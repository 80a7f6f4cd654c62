// One text turn over the Realtime WebSocket, from a browser. A browser
// cannot set an Authorization header on a WebSocket, so the client secret
// travels as a subprotocol beside `realtime`, the form the official SDKs use.
"use strict";

const form = document.getElementById("ask");
const promptInput = document.getElementById("prompt");
const answer = document.getElementById("answer");
const statusLine = document.getElementById("status");
const protocolLine = document.getElementById("protocol");
const instructionsLine = document.getElementById("instructions");

// `data-state` on <body>: idle, minting, connecting, answering, done, failed.
function setState(state, text) {
  document.body.dataset.state = state;
  statusLine.textContent = text;
}

async function mintSecret() {
  const response = await fetch("/session", { method: "POST" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `the server answered ${response.status}`);
  }
  return body;
}

function ask(text, { client_secret, websocket_url }) {
  const socket = new WebSocket(websocket_url, [
    "realtime",
    `openai-insecure-api-key.${client_secret}`,
  ]);
  let finished = false;
  const send = (event) => socket.send(JSON.stringify(event));
  const fail = (message) => {
    finished = true;
    setState("failed", message);
    socket.close();
  };
  socket.addEventListener("open", () => {
    protocolLine.textContent = socket.protocol;
    setState("connecting", "connected, waiting for the session");
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      fail("the server sent a frame that is not JSON");
      return;
    }
    switch (event.type) {
      case "session.created":
        instructionsLine.textContent = event.session.instructions ?? "";
        setState("answering", "asking");
        send({
          type: "conversation.item.create",
          item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
        });
        send({ type: "response.create" });
        break;
      case "response.output_text.delta":
      case "response.output_audio_transcript.delta":
        answer.textContent += event.delta;
        break;
      case "response.done":
        finished = true;
        setState("done", `done (${event.response.status})`);
        socket.close(1000, "turn finished");
        break;
      case "error":
        fail(`server error: ${event.error.message}`);
        break;
      default:
        break;
    }
  });
  socket.addEventListener("close", (close) => {
    if (!finished) {
      setState("failed", `the connection closed before an answer (code ${close.code})`);
    }
  });
}

form.addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const text = promptInput.value.trim();
  if (!text) {
    return;
  }
  answer.textContent = "";
  protocolLine.textContent = "";
  instructionsLine.textContent = "";
  setState("minting", "minting a client secret");
  try {
    ask(text, await mintSecret());
  } catch (error) {
    setState("failed", error.message);
  }
});
