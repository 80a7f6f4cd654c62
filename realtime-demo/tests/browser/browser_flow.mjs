#!/usr/bin/env node
// The browser example's page in a real browser: Debian's Chromium, headless,
// driven by playwright-core (which downloads no browser of its own).
//
// The page asks its server for a client secret, connects to the Realtime
// WebSocket with it through the `realtime` + `openai-insecure-api-key.<secret>`
// subprotocols, runs one text turn and shows the answer. This checks, from
// inside the browser:
//
// - the turn completes and the answer shown is what the server streamed (the
//   deltas the page received, joined);
// - the socket was opened with the two subprotocols and the server chose
//   `realtime`;
// - the session reports the instructions the secret was minted with;
// - the permanent API key reached the page nowhere (no response body, no
//   frame, no handshake);
// - the server refuses the permanent key in the subprotocol, and a secret it
//   never minted, while the minted one opens a second session.
//
// Usage: node browser_flow.mjs http://127.0.0.1:PORT/ API_KEY
// (the example server's address, and the permanent key it mints with).
// CHROMIUM names the browser (default /usr/bin/chromium). A screenshot of the
// answered page is written to SCREENSHOT (default ../../../target/browser-flow.png).
// Exits 1 when a check fails, 2 on a bad argument or a missing browser.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT =
  process.env.SCREENSHOT || path.join(HERE, '..', '..', '..', 'target', 'browser-flow.png');
// Milliseconds the turn may take (it takes well under one against the mock).
const TURN_MS = 20_000;
const QUESTION = 'What is the capital of France?';

const [pageUrl, apiKey] = process.argv.slice(2);
if (!pageUrl || !apiKey) {
  console.error('usage: node browser_flow.mjs http://127.0.0.1:PORT/ API_KEY');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(
    `no browser at ${CHROMIUM}: install Debian's Chromium (apt-get install chromium) ` +
      'or name one with CHROMIUM=/path/to/chromium',
  );
  process.exit(2);
}

const failures = [];
function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures.push(what);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // As root, in a container, with no network but loopback: no sandbox, and
  // none of the background connections Chromium would try at start.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // Everything the page received or sent, to look for the key in.
  const seen = [];
  let minted = null;
  page.on('response', async (response) => {
    const body = await response.text().catch(() => '');
    seen.push({ where: `${response.request().method()} ${response.url()}`, text: body });
    if (response.url().endsWith('/session')) {
      minted = JSON.parse(body);
    }
  });
  const sockets = [];
  page.on('websocket', (socket) => {
    const record = { url: socket.url(), sent: [], received: [] };
    sockets.push(record);
    socket.on('framesent', (frame) => record.sent.push(String(frame.payload)));
    socket.on('framereceived', (frame) => record.received.push(String(frame.payload)));
  });

  await page.goto(pageUrl);
  await page.fill('#prompt', QUESTION);
  await page.click('#send');
  await page.waitForFunction(
    () => ['done', 'failed'].includes(document.body.dataset.state),
    null,
    { timeout: TURN_MS },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  const status = await page.textContent('#status');
  check(state === 'done', `the turn completes (status: ${status})`);
  await mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });

  check(minted !== null && typeof minted.client_secret === 'string', 'the page got a client secret');
  check(
    minted !== null && minted.client_secret !== apiKey && !minted.client_secret.startsWith('sk-'),
    'the secret the page got is not the permanent key',
  );

  check(sockets.length === 1, `the page opened one WebSocket (${sockets.length})`);
  const socket = sockets[0] ?? { url: '', sent: [], received: [] };
  check(
    minted !== null && socket.url === minted.websocket_url,
    'the socket goes where the server said',
  );
  const received = socket.received.map((frame) => JSON.parse(frame));
  const sent = socket.sent.map((frame) => JSON.parse(frame));
  check(
    JSON.stringify(sent.map((event) => event.type)) ===
      JSON.stringify(['conversation.item.create', 'response.create']),
    `the page sent the user item and response.create (${sent.map((e) => e.type).join(', ')})`,
  );
  check(
    sent[0]?.item?.content?.[0]?.text === QUESTION,
    'the user item carries the question typed in the page',
  );
  const streamed = received
    .filter((event) => event.type === 'response.output_text.delta')
    .map((event) => event.delta)
    .join('');
  const shown = await page.textContent('#answer');
  check(streamed.length > 0, `the server streamed a text answer (${JSON.stringify(streamed)})`);
  check(shown === streamed, `the page shows the streamed answer (${JSON.stringify(shown)})`);
  const done = received.find((event) => event.type === 'response.done');
  check(done?.response?.status === 'completed', 'response.done says completed');

  check(
    (await page.textContent('#protocol')) === 'realtime',
    'the server chose the `realtime` subprotocol',
  );
  const created = received.find((event) => event.type === 'session.created');
  const instructions = await page.textContent('#instructions');
  check(
    created !== undefined && instructions.length > 0 && created.session.instructions === instructions,
    `the session starts with the instructions the secret was minted with (${JSON.stringify(instructions)})`,
  );

  const leaks = [
    ...seen.filter((item) => item.text.includes(apiKey)).map((item) => item.where),
    ...sockets.flatMap((s) =>
      [...s.sent, ...s.received].filter((f) => f.includes(apiKey)).map(() => `a frame on ${s.url}`),
    ),
  ];
  check(leaks.length === 0, `the permanent key reached the page nowhere${leaks.length ? `: ${leaks.join(', ')}` : ''}`);
  check(pageErrors.length === 0, `no script error on the page${pageErrors.length ? `: ${pageErrors.join('; ')}` : ''}`);

  // A WebSocket opened from the page with the given credential: `open:<protocol>`
  // when the server upgraded it, `refused:<code>` when the handshake failed.
  const tryCredential = (credential) =>
    page.evaluate(
      ([url, credential]) =>
        new Promise((resolve) => {
          const probe = new WebSocket(url, ['realtime', `openai-insecure-api-key.${credential}`]);
          probe.onopen = () => {
            resolve(`open:${probe.protocol}`);
            probe.close(1000);
          };
          probe.onclose = (close) => resolve(`refused:${close.code}`);
        }),
      [minted?.websocket_url ?? '', credential],
    );
  if (minted !== null) {
    const permanent = await tryCredential(apiKey);
    check(permanent.startsWith('refused'), `the permanent key in the subprotocol is refused (${permanent})`);
    const unknown = await tryCredential('ek_never_minted_by_this_server');
    check(unknown.startsWith('refused'), `a secret the server never minted is refused (${unknown})`);
    const again = await tryCredential(minted.client_secret);
    check(again === 'open:realtime', `the minted secret opens another session until it expires (${again})`);
  }
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.error(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`\nthe browser flow works in ${CHROMIUM} (screenshot: ${SCREENSHOT})`);
