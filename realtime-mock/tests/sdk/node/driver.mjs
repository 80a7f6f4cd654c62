#!/usr/bin/env node
// The official openai-node Realtime clients as conformance peers of the mock,
// on its three surfaces:
//
// - GA: `OpenAIRealtimeWS` from `openai/realtime/ws`, frames typed as
//   `RealtimeServerEvent` of `openai/resources/realtime/realtime`;
// - beta (`OpenAI-Beta: realtime=v1`): `OpenAIRealtimeWS` from
//   `openai/beta/realtime/ws`, typed as `RealtimeServerEvent` of
//   `openai/resources/beta/realtime/realtime`;
// - translation (`/v1/realtime/translations`): openai-node 6.x has the types
//   (`RealtimeTranslationServerEvent`) but no client, so the flows speak
//   through `ws`, the WebSocket package the SDK's clients use.
//
// Every frame the mock sends is recorded; the frames are then written into a
// TypeScript file as literals of the SDK's union for their surface and
// compiled with `tsc --strict --noEmit`: a field the SDK does not know fails
// the object literal's excess property check, and a missing or mistyped
// field fails assignability. Each flow is one behaviour of the protocol.
//
// Usage: node driver.mjs ws://127.0.0.1:PORT/v1 [--skip SURFACE/FLOW]... [SURFACE/FLOW ...]
// Runs the flows named, or all of them but those skipped (each skipped one is
// named in the output; .ci/run says why it skips one). Exits 1 when a frame
// does not compile or a flow fails, 2 on a bad argument.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import WebSocket from 'ws';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FRAMES_FILE = path.join(HERE, 'generated', 'frames.ts');
const PROBES_FILE = path.join(HERE, 'generated', 'probes.ts');
// Milliseconds one flow may take (each takes well under one against the mock).
const FLOW_MS = 30_000;
// Characters of a value shown in a message, and of a string kept in the
// generated file (audio deltas are long base64; their type is all that counts).
const SHOWN = 48;
const SAMPLE_RATE = 24_000;
const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};

// Where the mock's frames are right and the SDK's types are behind, each with
// its evidence: a field the SDK's type does not declare (`unknown`), or `null`
// for a field the SDK declares optional (`field?: T`) but not nullable
// (`null`). A diagnostic of that kind at that place is reported as a known
// gap, not a failure; any other diagnostic fails, and so does an entry that no
// frame shows any more. `*` in a path stands for any array index.
const GA_SESSION =
  'openai-node types the session of session.created / session.updated as RealtimeSessionCreateRequest ' +
  "(the request body); the pinned spec's RealtimeSessionCreateResponseGA requires `id` and `object` and " +
  'has `expires_at`';
const BETA_SESSION =
  "openai-node's beta Session predates the pinned spec, whose RealtimeSession has `object`, `expires_at`, " +
  '`prompt` and `include`; the beta server sends `object` and `expires_at` (shared/wire/beta-server-2025-01.jsonl)';
const BETA_TURN_DETECTION =
  "openai-node's beta TurnDetection has no `idle_timeout_ms`; the pinned spec's RealtimeTurnDetection has it";
const BETA_CALL_NAME =
  "openai-node's beta ResponseFunctionCallArgumentsDoneEvent has no `name`; the pinned spec's " +
  'RealtimeBetaServerEventResponseFunctionCallArgumentsDone has it (since 2026-05-13)';
const GA_SESSION_NULLS =
  "the pinned spec's session.created example has `null` for `audio.input.transcription`, " +
  '`audio.input.noise_reduction` and `include`';
const BETA_SESSION_NULLS =
  "the pinned spec's RealtimeSession makes `tracing`, `input_audio_transcription` and `turn_detection` " +
  'nullable and defaults `input_audio_noise_reduction` to `null`; the beta server sends ' +
  '`input_audio_transcription: null` (shared/wire/beta-server-2025-01.jsonl)';
const RESPONSE_NULLS =
  "the pinned spec's response.created example has `status_details: null` and `usage: null`, as the beta " +
  'server sends them (shared/wire/beta-server-2025-01.jsonl)';
const TRANSCRIPT_NULL =
  'the beta server sends input audio content with `transcript: null` (shared/wire/beta-server-2025-01.jsonl)';
const SESSION_EVENTS = ['session.created', 'session.updated'];
const RESPONSE_EVENTS = ['response.created', 'response.done'];
const GAP_LIST = [
  ['ga', SESSION_EVENTS, 'unknown', ['session.id', 'session.object', 'session.expires_at'], GA_SESSION],
  [
    'ga',
    SESSION_EVENTS,
    'null',
    ['session.audio.input.transcription', 'session.audio.input.noise_reduction', 'session.include'],
    GA_SESSION_NULLS,
  ],
  ['ga', RESPONSE_EVENTS, 'null', ['response.status_details'], RESPONSE_NULLS],
  ['ga', ['response.created'], 'null', ['response.usage'], RESPONSE_NULLS],
  [
    'ga',
    ['conversation.item.added', 'conversation.item.done'],
    'null',
    ['item.content.*.transcript'],
    TRANSCRIPT_NULL,
  ],
  [
    'beta',
    SESSION_EVENTS,
    'unknown',
    ['session.object', 'session.expires_at', 'session.prompt', 'session.include'],
    BETA_SESSION,
  ],
  ['beta', SESSION_EVENTS, 'unknown', ['session.turn_detection.idle_timeout_ms'], BETA_TURN_DETECTION],
  [
    'beta',
    SESSION_EVENTS,
    'null',
    ['session.tracing', 'session.input_audio_transcription', 'session.input_audio_noise_reduction'],
    BETA_SESSION_NULLS,
  ],
  ['beta', ['session.updated'], 'null', ['session.turn_detection'], BETA_SESSION_NULLS],
  ['beta', RESPONSE_EVENTS, 'null', ['response.status_details'], RESPONSE_NULLS],
  ['beta', ['response.created'], 'null', ['response.usage'], RESPONSE_NULLS],
  ['beta', ['conversation.item.created'], 'null', ['item.content.*.transcript'], TRANSCRIPT_NULL],
  ['beta', ['response.function_call_arguments.done'], 'unknown', ['name'], BETA_CALL_NAME],
];
// "surface event path kind" -> evidence.
const KNOWN_GAPS = new Map(
  GAP_LIST.flatMap(([surface, events, kind, paths, evidence]) =>
    events.flatMap((event) =>
      paths.map((fieldPath) => [`${surface} ${event} ${fieldPath} ${kind}`, evidence]),
    ),
  ),
);

class FlowFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new FlowFailed(message);
}

function short(value, limit = SHOWN) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} chars)`;
}

// Audio: 24 kHz PCM16, as base64 appends of 100 ms.

function tone(ms, hz = 440, amplitude = 0.3) {
  const samples = new Int16Array((SAMPLE_RATE * ms) / 1000);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.trunc(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE));
  }
  return Buffer.from(samples.buffer);
}

function silence(ms) {
  return Buffer.alloc((2 * SAMPLE_RATE * ms) / 1000);
}

function base64Chunks(pcm, ms = 100) {
  const size = (2 * SAMPLE_RATE * ms) / 1000;
  const chunks = [];
  for (let i = 0; i < pcm.length; i += size) chunks.push(pcm.subarray(i, i + size).toString('base64'));
  return chunks;
}

function audioMs(deltas) {
  const bytes = deltas.reduce((sum, delta) => sum + Buffer.from(delta, 'base64').length, 0);
  return Math.floor((bytes * 1000) / (2 * SAMPLE_RATE));
}

// The surfaces.

// openai-node's realtime clients always connect with `wss:` (they set the
// URL's protocol); the mock speaks plain `ws:` on loopback, so the socket ws
// opens for them is a plain TCP one (ws's `createConnection`, passed through
// the SDK's `options`).
const plainTcp = (options) => net.connect({ host: options.host, port: options.port });

function gaSession(audio, { vad = false, interrupt = true, tools = [] } = {}) {
  const session = {
    type: 'realtime',
    output_modalities: [audio ? 'audio' : 'text'],
    instructions: 'Answer briefly.',
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        turn_detection: vad
          ? { type: 'server_vad', create_response: true, interrupt_response: interrupt }
          : null,
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' },
    },
  };
  if (tools.length) Object.assign(session, { tools, tool_choice: 'auto' });
  return session;
}

function betaSession(audio, { vad = false, interrupt = true, tools = [] } = {}) {
  const session = {
    modalities: audio ? ['audio', 'text'] : ['text'],
    instructions: 'Answer briefly.',
    voice: 'alloy',
    input_audio_format: 'pcm16',
    output_audio_format: 'pcm16',
    turn_detection: vad ? { type: 'server_vad', create_response: true, interrupt_response: interrupt } : null,
  };
  if (tools.length) Object.assign(session, { tools, tool_choice: 'auto' });
  return session;
}

function sdkConnection(Client, model) {
  return (client) => {
    const rt = new Client({ model, options: { createConnection: plainTcp } }, client);
    // The SDK turns `error` events into rejections unless someone listens;
    // the flows read every frame, `error`s included, from the socket.
    rt.on('error', () => {});
    return { socket: rt.socket, send: (event) => rt.send(event), close: () => rt.close() };
  };
}

const SURFACES = {
  ga: {
    name: 'ga',
    union: 'GaServerEvent',
    connect: sdkConnection(OpenAIRealtimeWS, 'gpt-realtime'),
    session: gaSession,
    itemAdded: 'conversation.item.added',
    textDelta: 'response.output_text.delta',
    textDone: 'response.output_text.done',
    audioDelta: 'response.output_audio.delta',
    transcriptDelta: 'response.output_audio_transcript.delta',
    transcriptDone: 'response.output_audio_transcript.done',
  },
  beta: {
    name: 'beta',
    union: 'BetaServerEvent',
    connect: sdkConnection(BetaRealtimeWS, 'gpt-4o-realtime-preview'),
    session: betaSession,
    itemAdded: 'conversation.item.created',
    textDelta: 'response.text.delta',
    textDone: 'response.text.done',
    audioDelta: 'response.audio.delta',
    transcriptDelta: 'response.audio_transcript.delta',
    transcriptDone: 'response.audio_transcript.done',
  },
  translation: {
    name: 'translation',
    union: 'TranslationServerEvent',
    connect: (client, url) => {
      const socket = new WebSocket(`${url}/realtime/translations?model=gpt-realtime-translate`, {
        headers: { Authorization: `Bearer ${client.apiKey}` },
      });
      return { socket, send: (event) => socket.send(JSON.stringify(event)), close: () => socket.close() };
    },
  },
};

// One connection of one flow: sends through the SDK's client, and keeps
// every frame it receives for the type check.

class Flow {
  constructor(name, surface, connection) {
    this.name = name;
    this.surface = surface;
    this.connection = connection;
    this.frames = [];
    this.cursor = 0;
    this.closeCode = null;
    this.waitingFor = 'the first frame';
    this.wake = () => {};
    connection.socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    connection.socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    connection.socket.on('error', (error) => {
      this.socketError = error;
      this.wake();
    });
  }

  send(event) {
    this.connection.send(event);
  }

  sendRaw(text) {
    this.connection.socket.send(text);
  }

  async recv() {
    while (this.cursor >= this.frames.length) {
      if (this.socketError) throw new FlowFailed(`the socket failed: ${this.socketError.message}`);
      if (this.closeCode !== null) {
        throw new FlowFailed(
          `the connection closed (${this.closeCode}) while waiting for ${this.waitingFor}`,
        );
      }
      await new Promise((resolve) => (this.wake = resolve));
    }
    return this.frames[this.cursor++];
  }

  // The next frame of `type` (with these field values); an `error` before it fails the flow.
  async expect(type, fields = {}) {
    return (await this.expectAll([type], fields))[type];
  }

  // Reads until a frame of each of `types` came, in any order.
  async expectAll(types, fields = {}) {
    const found = {};
    for (;;) {
      const missing = types.filter((type) => !(type in found));
      if (!missing.length) return found;
      this.waitingFor = missing.map((type) => `\`${type}\``).join(' and ');
      const frame = await this.recv();
      if (frame.type === 'error' && !types.includes('error')) {
        throw new FlowFailed(
          `frame ${this.cursor - 1} is an \`error\` while waiting for ${this.waitingFor}: ${short(frame.error?.message, 160)}`,
        );
      }
      const matches = Object.entries(fields).every(([key, value]) => frame[key] === value);
      if (missing.includes(frame.type) && matches) found[frame.type] = frame;
    }
  }

  mark() {
    return this.cursor;
  }

  since(mark) {
    return this.frames.slice(mark, this.cursor);
  }

  where() {
    return `waiting for ${this.waitingFor}; received ${runs(this.frames.slice(-12))}`;
  }

  sendUserText(text) {
    this.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
  }

  async updateSession(session) {
    this.send({ type: 'session.update', session });
    return this.expect('session.updated');
  }
}

// The types of `frames`, repeats folded: `a, b ×12, c`.
function runs(frames) {
  const out = [];
  for (const { type } of frames) {
    if (out.length && out.at(-1)[0] === type) out.at(-1)[1]++;
    else out.push([type, 1]);
  }
  return out.map(([type, n]) => (n === 1 ? type : `${type} ×${n}`)).join(', ') || 'nothing';
}

// Each of `types` came, and their first arrivals are in this order.
function inOrder(frames, types) {
  const seen = frames.map((frame) => frame.type);
  const missing = types.filter((type) => !seen.includes(type));
  check(!missing.length, `no ${missing.map((type) => `\`${type}\``).join(', ')} in: ${runs(frames)}`);
  const firsts = types.map((type) => seen.indexOf(type));
  check(
    firsts.every((index, i) => i === 0 || firsts[i - 1] <= index),
    `not in the order ${types.join(', ')}: ${runs(frames)}`,
  );
}

const ofType = (frames, type) => frames.filter((frame) => frame.type === type);
const textOf = (frames, type) =>
  ofType(frames, type)
    .map((frame) => frame.delta ?? '')
    .join('');

function completed(done) {
  const status = done.response?.status;
  check(status === 'completed', `\`response.done\` has status ${short(status)}, not "completed"`);
}

// The flows. Each gets a connection that has just received `session.created`.

// A user text message and `response.create` give a completed text response
// whose deltas add up to its text: `You said: Hi!`.
async function text_response(flow, s) {
  await flow.updateSession(s.session(false));
  flow.sendUserText('Hi!');
  await flow.expect(s.itemAdded);
  const start = flow.mark();
  flow.send({ type: 'response.create' });
  const done = await flow.expect('response.done');
  const frames = flow.since(start);
  inOrder(frames, [
    'response.created',
    'response.output_item.added',
    'response.content_part.added',
    s.textDelta,
    s.textDone,
    'response.content_part.done',
    'response.output_item.done',
    'response.done',
  ]);
  const said = ofType(frames, s.textDone)[0].text;
  check(textOf(frames, s.textDelta) === said, `the text deltas do not add up to ${short(said)}`);
  check(said === 'You said: Hi!', `the response says ${short(said)}, not "You said: Hi!"`);
  completed(done);
}

// Speech (a tone burst) then silence: server VAD starts and stops the turn,
// commits the user audio and answers with audio and a transcript.
async function audio_with_server_vad(flow, s) {
  await flow.updateSession(s.session(true, { vad: true }));
  const start = flow.mark();
  for (const audio of base64Chunks(Buffer.concat([tone(600), silence(800)]))) {
    flow.send({ type: 'input_audio_buffer.append', audio });
  }
  const found = await flow.expectAll([
    'input_audio_buffer.speech_started',
    'input_audio_buffer.speech_stopped',
    'input_audio_buffer.committed',
  ]);
  const done = await flow.expect('response.done');
  const frames = flow.since(start);
  inOrder(frames, [
    'input_audio_buffer.speech_started',
    'input_audio_buffer.speech_stopped',
    'input_audio_buffer.committed',
    s.itemAdded,
    'response.created',
    s.audioDelta,
    s.transcriptDelta,
    s.transcriptDone,
    'response.done',
  ]);
  const [started, stopped, committed] = ['speech_started', 'speech_stopped', 'committed'].map(
    (type) => found[`input_audio_buffer.${type}`],
  );
  check(
    started.item_id === stopped.item_id && stopped.item_id === committed.item_id,
    `speech_started, speech_stopped and committed name different items: ${started.item_id}, ${stopped.item_id}, ${committed.item_id}`,
  );
  check(started.audio_start_ms < stopped.audio_end_ms, 'speech starts after it stops');
  const transcript = ofType(frames, s.transcriptDone)[0].transcript;
  check(
    textOf(frames, s.transcriptDelta) === transcript,
    `the transcript deltas do not add up to ${short(transcript)}`,
  );
  check(audioMs(ofType(frames, s.audioDelta).map((f) => f.delta)) >= 200, 'under 200 ms of response audio');
  completed(done);
}

// A tool named in the user's text is called; its output, sent back as a
// `function_call_output` item, is what the next response talks about.
async function function_call(flow, s) {
  await flow.updateSession(s.session(false, { tools: [WEATHER_TOOL] }));
  flow.sendUserText('What does get_weather say for Paris?');
  await flow.expect(s.itemAdded);
  let start = flow.mark();
  flow.send({ type: 'response.create' });
  const done = await flow.expect('response.done');
  const frames = flow.since(start);
  inOrder(frames, [
    'response.created',
    'response.output_item.added',
    'response.function_call_arguments.delta',
    'response.function_call_arguments.done',
    'response.output_item.done',
    'response.done',
  ]);
  const args = ofType(frames, 'response.function_call_arguments.done')[0];
  check(
    textOf(frames, 'response.function_call_arguments.delta') === args.arguments,
    'the argument deltas do not add up',
  );
  const call = done.response?.output?.[0] ?? {};
  check(
    call.type === 'function_call' && call.name === 'get_weather',
    `the output is ${short(call)}, not a call of get_weather`,
  );
  check(call.call_id === args.call_id, 'the call_id of the item and of the arguments differ');
  completed(done);
  flow.send({
    type: 'conversation.item.create',
    item: { type: 'function_call_output', call_id: call.call_id, output: 'sunny' },
  });
  await flow.expect(s.itemAdded);
  start = flow.mark();
  flow.send({ type: 'response.create' });
  completed(await flow.expect('response.done'));
  const said = ofType(flow.since(start), s.textDone)[0]?.text;
  check(said === 'The function returned: sunny', `the answer to the function's output is ${short(said)}`);
}

// The user speaks during an audio response: the client cancels the response
// (`response.cancel`) and at once truncates the assistant's audio to what was
// played (`conversation.item.truncate`); when the user stops, the turn is
// answered.
async function barge_in(flow, s) {
  await flow.updateSession(s.session(true, { vad: true, interrupt: false }));
  // A long answer (about 90 s of audio), so that it is still streaming when
  // the cancel arrives, however fast the mock streams.
  flow.sendUserText(`Tell me a long story. ${'la '.repeat(600)}`);
  await flow.expect(s.itemAdded);
  const start = flow.mark();
  flow.send({ type: 'response.create' });
  const first = await flow.expect(s.audioDelta);
  // A client busy playing audio reads no further for a moment, as a real
  // one does: the mock's queue to it fills and its response waits.
  flow.connection.socket.pause();
  for (const audio of base64Chunks(tone(300))) flow.send({ type: 'input_audio_buffer.append', audio });
  flow.send({ type: 'response.cancel' });
  const playedMs = Math.min(audioMs([first.delta]), 100);
  flow.send({
    type: 'conversation.item.truncate',
    item_id: first.item_id,
    content_index: 0,
    audio_end_ms: playedMs,
  });
  setTimeout(() => flow.connection.socket.resume(), 100);
  const found = await flow.expectAll([
    'input_audio_buffer.speech_started',
    'response.done',
    'conversation.item.truncated',
  ]);
  const done = found['response.done'];
  const truncated = found['conversation.item.truncated'];
  check(
    done.response?.status === 'cancelled',
    `the interrupted response's \`response.done\` has status ${short(done.response?.status)}`,
  );
  check(
    truncated.item_id === first.item_id &&
      truncated.content_index === 0 &&
      truncated.audio_end_ms === playedMs,
    `\`conversation.item.truncated\` says ${short(truncated)}, not what was asked`,
  );
  const frames = flow.since(start);
  check(ofType(frames, s.audioDelta).length < 900, 'the cancelled response streamed all its audio');
  // The beta server closes the interrupted item as `incomplete` before
  // `response.done` (shared/wire/beta-server-2025-01.jsonl).
  const closed = ofType(frames, 'response.output_item.done').find((f) => f.item?.id === first.item_id);
  check(
    closed?.item?.status === 'incomplete',
    `no \`response.output_item.done\` with status "incomplete" for the interrupted item`,
  );
  check(frames.indexOf(closed) < frames.indexOf(done), 'the interrupted item is done after `response.done`');
  const next = flow.mark();
  for (const audio of base64Chunks(silence(800))) flow.send({ type: 'input_audio_buffer.append', audio });
  await flow.expectAll(['input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']);
  completed(await flow.expect('response.done'));
  inOrder(flow.since(next), [
    'input_audio_buffer.committed',
    'response.created',
    s.audioDelta,
    'response.done',
  ]);
}

// A frame the server cannot take gets an `error` event (with the client's
// `event_id` when it has one), and the connection stays open.
async function errors(flow, s) {
  const cases = [
    ['an unknown event type', '{"type": "no.such.event", "event_id": "evt_unknown"}', 'evt_unknown'],
    ['text that is not JSON', 'this is not JSON', undefined],
    [
      'a known event with a field of the wrong type',
      '{"type": "conversation.item.truncate", "event_id": "evt_bad", "item_id": 7, "content_index": 0, "audio_end_ms": 0}',
      'evt_bad',
    ],
  ];
  for (const [what, text, eventId] of cases) {
    flow.sendRaw(text);
    const error = (await flow.expect('error')).error ?? {};
    check(
      (error.event_id ?? undefined) === eventId,
      `the \`error\` for ${what} has event_id ${short(error.event_id)}, not ${short(eventId)}`,
    );
  }
  flow.send({ type: 'response.cancel', event_id: 'evt_cancel' });
  check(
    (await flow.expect('error')).error?.event_id === 'evt_cancel',
    'the `error` for a cancel without a response lacks its event_id',
  );
  await flow.updateSession(s.session(false));
}

// Appended 24 kHz PCM16 audio comes back as output audio deltas, with
// translated and source transcript deltas for the speech; `session.close`
// ends with `session.closed` and a normal close (1000).
async function translation(flow) {
  flow.send({
    type: 'session.update',
    session: {
      audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } }, output: { language: 'fr' } },
    },
  });
  const updated = await flow.expect('session.updated');
  check(updated.session?.audio?.output?.language === 'fr', 'the updated session is not in French');
  const start = flow.mark();
  for (const audio of base64Chunks(Buffer.concat([tone(1000), silence(400)]))) {
    flow.send({ type: 'session.input_audio_buffer.append', audio });
  }
  flow.send({ type: 'session.close' });
  await flow.expect('session.closed');
  const frames = flow.since(start);
  inOrder(frames, ['session.output_transcript.delta', 'session.output_audio.delta', 'session.closed']);
  const echoed = audioMs(ofType(frames, 'session.output_audio.delta').map((f) => f.delta));
  check(echoed === 1400, `${echoed} ms of output audio for 1400 ms of input`);
  const said = textOf(frames, 'session.output_transcript.delta');
  check(
    said.split(' ').join() === Array(5).fill('bonjour').join(),
    `the output transcript is ${short(said)}`,
  );
  const heard = textOf(frames, 'session.input_transcript.delta');
  check(heard.split(' ').join() === Array(5).fill('hello').join(), `the input transcript is ${short(heard)}`);
  flow.waitingFor = 'the close after `session.closed`';
  try {
    const extra = await flow.recv();
    throw new FlowFailed(`a \`${extra.type}\` after \`session.closed\``);
  } catch (error) {
    if (!(error instanceof FlowFailed) || flow.closeCode === null) throw error;
    check(flow.closeCode === 1000, `the server closed with ${flow.closeCode}, not 1000`);
  }
}

// On a translation session too, a frame the server cannot take gets an
// `error`, a session.update that changes the model is refused, and the
// connection stays open.
async function translation_errors(flow) {
  flow.sendRaw('{"type": "no.such.event", "event_id": "evt_unknown"}');
  check(
    (await flow.expect('error')).error?.event_id === 'evt_unknown',
    'the `error` for an unknown event lacks its event_id',
  );
  flow.send({ type: 'session.update', event_id: 'evt_model', session: { model: 'another-model' } });
  check(
    (await flow.expect('error')).error?.event_id === 'evt_model',
    'the `error` for a changed model lacks its event_id',
  );
  flow.send({ type: 'session.close' });
  await flow.expect('session.closed');
}

const FLOWS = {
  ga: [text_response, audio_with_server_vad, function_call, barge_in, errors],
  beta: [text_response, audio_with_server_vad, function_call, barge_in, errors],
  translation: [translation, translation_errors],
};
const ALL = new Map(
  Object.entries(FLOWS).flatMap(([surface, runs_]) =>
    runs_.map((run) => [`${surface}/${run.name}`, [SURFACES[surface], run]]),
  ),
);

async function runFlow(client, url, name, surface, run) {
  const connection = surface.connect(client, url);
  const flow = new Flow(name, surface, connection);
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new FlowFailed(`timed out after ${FLOW_MS / 1000} s: ${flow.where()}`)),
      FLOW_MS,
    );
  });
  try {
    await Promise.race([
      (async () => {
        await flow.expect('session.created');
        await run(flow, surface);
      })(),
      deadline,
    ]);
    return { flow, failure: null };
  } catch (error) {
    return {
      flow,
      failure: error instanceof FlowFailed ? error.message : `${error.name}: ${short(error.message)}`,
    };
  } finally {
    clearTimeout(timer);
    connection.close();
  }
}

// The type check: every frame as a literal of its surface's union.
//
// The known gaps are left out of the literals, and one probe per known gap
// (a frame with just that property put back) must still fail with that kind
// of diagnostic: a gap the SDK has closed, or no frame shows, is stale. tsc
// reports one problem of an object literal and hides others behind it, so a
// frame with an unexpected unknown field or `null` is compiled again without
// that property, until no round finds anything new.

const MAX_ROUNDS = 8;
const UNKNOWN_FIELD = /^Object literal may only specify known properties/;
const NULL_VALUE = /^Type 'null' is not assignable to type/;

const kindOf = (text) => (UNKNOWN_FIELD.test(text) ? 'unknown' : NULL_VALUE.test(text) ? 'null' : null);
const gapKey = (surface, type, fieldPath, kind) =>
  `${surface} ${type} ${fieldPath.replace(/(^|\.)\d+(?=\.|$)/g, '$1*')} ${kind}`;

// The known gaps a frame shows: JSON path -> gap key.
function knownGapsOf(surface, frame) {
  const found = new Map();
  const walk = (value, pathSoFar) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      const fieldPath = [...pathSoFar, key].join('.');
      const unknown = gapKey(surface, frame.type, fieldPath, 'unknown');
      const nulled = gapKey(surface, frame.type, fieldPath, 'null');
      if (KNOWN_GAPS.has(unknown)) found.set(fieldPath, unknown);
      else if (item === null && KNOWN_GAPS.has(nulled)) found.set(fieldPath, nulled);
      else walk(item, [...pathSoFar, key]);
    }
  };
  walk(frame, []);
  return found;
}

// `value` as it goes into the file: long strings cut (their type is what is
// checked), and the properties at `left` (JSON paths) left out.
function prepared(value, left, pathSoFar = []) {
  if (typeof value === 'string') return value.length > SHOWN ? `${value.slice(0, 16)}…` : value;
  if (Array.isArray(value)) return value.map((item, i) => prepared(item, left, [...pathSoFar, i]));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      const fieldPath = [...pathSoFar, key].join('.');
      if (!left.has(fieldPath)) out[key] = prepared(item, left, [...pathSoFar, key]);
    }
    return out;
  }
  return value;
}

// `value` as TypeScript, one property a line; `lines` gets the JSON path of each line.
function literal(value, indent, pathSoFar, lines) {
  const pad = '  '.repeat(indent + 1);
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    const entries = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
    if (!entries.length) return Array.isArray(value) ? '[]' : '{}';
    const parts = entries.map(([key, item]) => {
      lines.push([...pathSoFar, key].join('.'));
      const head = Array.isArray(value) ? '' : `${JSON.stringify(key)}: `;
      return `${pad}${head}${literal(item, indent + 1, [...pathSoFar, key], lines)}`;
    });
    lines.push(pathSoFar.join('.'));
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return `${open}\n${parts.join(',\n')}\n${'  '.repeat(indent)}${close}`;
  }
  return JSON.stringify(value);
}

// Writes the file and runs tsc: the diagnostics, each with the frame and
// JSON path it is about (`where`: null for one outside the frames).
function compile(frames, file = FRAMES_FILE) {
  const out = [
    '// @generated by driver.mjs from the frames the mock sent: do not edit.',
    "import type { RealtimeServerEvent as GaServerEvent, RealtimeTranslationServerEvent as TranslationServerEvent } from 'openai/resources/realtime/realtime';",
    "import type { RealtimeServerEvent as BetaServerEvent } from 'openai/resources/beta/realtime/realtime';",
  ];
  const where = [null, null, null, null]; // by line, 1-based
  for (const entry of frames) {
    const lines = [];
    const text = literal(prepared(entry.frame, entry.left), 0, [], lines);
    out.push(
      `// ${entry.flow.name} frame ${entry.index}: ${entry.frame.type}${entry.probe ? ` (probe: ${entry.probePath} put back)` : ''}`,
    );
    where.push(null);
    const name = `${entry.flow.name.replace('/', '_')}_${entry.index}${entry.probe ? `_${entry.probe}` : ''}`;
    out.push(`export const ${name}: ${entry.flow.surface.union} = ${text};`);
    where.push({ entry, path: '' });
    for (const fieldPath of lines) where.push({ entry, path: fieldPath });
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${out.join('\n')}\n`);
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(HERE, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--strict',
      '--noEmit',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--pretty',
      'false',
      file,
    ],
    { cwd: HERE, encoding: 'utf8' },
  );
  const diagnostics = [];
  for (const line of `${tsc.stdout}${tsc.stderr}`.split('\n')) {
    const head = line.match(/^(.*)\((\d+),(\d+)\): error (TS\d+): (.*)$/);
    if (head) {
      const here = path.resolve(HERE, head[1]) === file ? where[Number(head[2])] : null;
      diagnostics.push({ where: here, text: head[5] });
    } else if (line.trim() && diagnostics.length) diagnostics.at(-1).text += ` / ${line.trim()}`;
    else if (line.trim()) diagnostics.push({ where: null, text: line.trim() });
  }
  if (tsc.status !== 0 && !diagnostics.length)
    diagnostics.push({ where: null, text: `tsc exited with ${tsc.status}` });
  return diagnostics.map(({ where: here, text }) => ({ where: here, text: readable(text) }));
}

// A tsc message, short: its most specific line (elaborations come last), with
// the object types it spells out (a frame's whole literal) folded.
function readable(text) {
  const specific = text.split(' / ').at(-1);
  return specific.replace(/'\{[^']*\}'/g, (type) => (type.length > SHOWN ? "'{…}'" : type));
}

// Every frame of every flow through tsc: the findings, and the known gaps
// that frames show and the SDK's types still refuse.
function typeCheck(results) {
  const frames = results.flatMap(({ flow }) =>
    flow.frames.map((frame, index) => {
      const gaps = knownGapsOf(flow.surface.name, frame);
      return { flow, index, frame, left: new Set(gaps.keys()), gaps };
    }),
  );
  const findings = [];
  const seen = new Set();
  let pending = frames;
  for (let round = 0; round < MAX_ROUNDS && pending.length; round++) {
    const changed = new Set();
    for (const { where, text } of compile(pending)) {
      const about = where ? `${where.entry.flow.name} ${where.entry.index} ${where.path}: ${text}` : text;
      if (seen.has(about)) continue;
      seen.add(about);
      if (!where) {
        findings.push({ flow: '(tsc)', index: 0, type: '', path: '', text });
        continue;
      }
      const { entry, path: fieldPath } = where;
      findings.push({
        flow: entry.flow.name,
        index: entry.index,
        type: entry.frame.type,
        path: fieldPath || '(the event)',
        text,
      });
      if (kindOf(text) && fieldPath && !entry.left.has(fieldPath)) {
        entry.left.add(fieldPath);
        changed.add(entry);
      }
    }
    pending = [...changed];
  }
  // One probe per known gap that a frame shows.
  const probes = new Map(); // gap key -> probe
  for (const entry of frames) {
    for (const [fieldPath, gap] of entry.gaps) {
      if (probes.has(gap)) continue;
      const left = new Set(entry.left);
      left.delete(fieldPath);
      probes.set(gap, { ...entry, left, probe: `probe${probes.size}`, probePath: fieldPath });
    }
  }
  const gapsSeen = new Set();
  const refused = compile([...probes.values()], PROBES_FILE).filter(
    ({ where, text }) => where && where.path === where.entry.probePath && kindOf(text),
  );
  for (const [gap, probe] of probes) {
    if (refused.some(({ where, text }) => where.entry === probe && gap.endsWith(` ${kindOf(text)}`)))
      gapsSeen.add(gap);
  }
  return { findings, gapsSeen };
}

async function main(url, args) {
  const names = [];
  const skipped = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--skip') skipped.push(args[++i] ?? '');
    else names.push(args[i]);
  }
  const unknown = [...names, ...skipped].filter((name) => !ALL.has(name));
  if (unknown.length) {
    console.error(`unknown flows ${unknown.join(', ')}; the flows are ${[...ALL.keys()].join(', ')}`);
    return 2;
  }
  const client = new OpenAI({ apiKey: 'sk-local', baseURL: url.replace(/^ws:/, 'http:') });
  const results = [];
  for (const name of names.length ? names : [...ALL.keys()].filter((name) => !skipped.includes(name))) {
    const [surface, run] = ALL.get(name);
    results.push(await runFlow(client, url, name, surface, run));
  }
  const { findings, gapsSeen } = typeCheck(results);
  const byEvidence = new Map();
  for (const gap of [...gapsSeen].sort()) {
    const evidence = KNOWN_GAPS.get(gap);
    byEvidence.set(evidence, [...(byEvidence.get(evidence) ?? []), gap]);
  }
  for (const [evidence, gaps] of byEvidence) {
    const fields = [
      ...new Set(
        gaps.map((gap) =>
          gap
            .split(' ')
            .filter((_, i) => i !== 1)
            .join(' '),
        ),
      ),
    ];
    const events = [...new Set(gaps.map((gap) => gap.split(' ')[1]))];
    console.log(`SDK GAP ${fields.join(', ')} (in ${events.join(', ')}): ${evidence}`);
  }
  for (const name of skipped) console.log(`NOT RUN ${name}: skipped by the caller`);
  // Every known gap must still show, when the flows that show them ran.
  const stale = names.length ? [] : [...KNOWN_GAPS.keys()].filter((gap) => !gapsSeen.has(gap));
  for (const gap of stale)
    console.log(`STALE   known gap ${gap}: no frame shows it, or the SDK's type now takes it; remove it`);
  const grouped = new Map(); // "flow\0(type) path: text" -> frame indexes
  for (const { flow, index, type, path: fieldPath, text } of findings) {
    const key = `${flow}\0(${type}) ${fieldPath}: ${text}`;
    grouped.set(key, [...(grouped.get(key) ?? []), index]);
  }
  const bad = new Set(findings.map(({ flow }) => flow));
  for (const [key, indexes] of grouped) {
    const [flow, rest] = key.split('\0');
    const shown = indexes.slice(0, 6).join(', ') + (indexes.length > 6 ? ' …' : '');
    console.log(
      `INVALID ${flow} ${indexes.length === 1 ? 'frame' : `${indexes.length} frames`} ${shown} ${rest}`,
    );
  }
  for (const { flow, failure } of results) {
    if (failure) {
      console.log(`FAILED  ${flow.name}: ${failure}`);
      bad.add(flow.name);
    }
  }
  const count = results.reduce((sum, { flow }) => sum + flow.frames.length, 0);
  console.log(
    `openai-node: ${count} frames compiled as the SDK's types (${path.relative(process.cwd(), FRAMES_FILE)})`,
  );
  const passed = results.filter(({ flow }) => !bad.has(flow.name)).length;
  console.log(`openai-node: ${passed} passed, ${results.length - passed} failed`);
  return bad.size || stale.length ? 1 : 0;
}

const [url, ...args] = process.argv.slice(2);
if (!url) {
  console.error('usage: node driver.mjs ws://127.0.0.1:PORT/v1 [SURFACE/FLOW ...]');
  process.exit(2);
}
process.exitCode = await main(url, args);
// The SDK's clients keep no timers, but a socket still closing must not hold the exit.
setTimeout(() => process.exit(process.exitCode), 100).unref();
