// The Node transport with the official SDKs as clients: record from the local upstream, stop it,
// replay offline, and compare what the SDK parsed.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import fg from 'fast-glob';
import { install, type InstallOptions } from '../../src/node/index.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

test.describe.configure({ mode: 'parallel' });

let upstream: Upstream;
let llmDir: string;
test.beforeEach(async ({}, testInfo) => {
  upstream = await startUpstream({ tokenDelay: 25 });
  llmDir = testInfo.outputPath('llm');
});
test.afterEach(async () => upstream.close());

/** Runs `fn` with the Node transport installed, then uninstalls it. */
async function withReplay<T>(options: InstallOptions, fn: (calls: ReturnType<typeof install>) => Promise<T>): Promise<T> {
  const installed = install({ llmDir, llmUrls: [`${upstream.url}/**`], folder: 'suite/test', ...options });
  try {
    return await fn(installed);
  } finally {
    installed.uninstall();
  }
}

const openai = (baseURL: string) => new OpenAI({ apiKey: 'sk-test-SECRET-0123456789abcdefghij', baseURL: `${baseURL}/v1`, maxRetries: 0 });

async function streamChat(baseURL: string, body: Partial<OpenAI.Chat.ChatCompletionCreateParamsStreaming> = {}) {
  const stream = await openai(baseURL).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Tell me about Paris' }],
    stream: true,
    stream_options: { include_usage: true },
    ...body,
  });
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  return { chunks, text, usage: chunks.at(-1)?.usage };
}

const recordings = () => fg.sync('**/*.json', { cwd: llmDir, absolute: true });

test('openai SDK stream: record, stop the upstream, replay the same chunks offline', async () => {
  const recorded = await withReplay({ llmMode: 'record-missing' }, async (h) => {
    const r = await streamChat(upstream.url);
    expect(h.calls).toMatchObject([{ outcome: 'recorded', model: 'gpt-4o-mini' }]);
    return r;
  });
  expect(recorded.text).toBe('Echo: Tell me about Paris');
  expect(recorded.usage).toMatchObject({ completion_tokens: 5 });

  const files = recordings();
  expect(files).toHaveLength(1);
  expect(path.relative(llmDir, files[0])).toMatch(/^suite\/test\/chat-completions\.[0-9a-f]{12}\.json$/);
  const text = fs.readFileSync(files[0], 'utf8');
  expect(text).not.toContain('sk-test');
  expect(text).not.toMatch(/cookie|__cf_bm/i);
  const file = JSON.parse(text);
  expect(file.request.headers.authorization).toBe('<redacted>');
  expect(file.request).toMatchObject({ method: 'POST', endpoint: '/v1/chat/completions', model: 'gpt-4o-mini', body: { messages: [{ content: 'Tell me about Paris' }] } });
  expect(file.response).toMatchObject({ status: 200, is_streaming: true, framing: 'sse', terminator: { data: '[DONE]' } });
  expect(file.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  expect(file.response.body).toHaveLength(recorded.chunks.length);
  // The event split across two TCP writes was stored whole.
  expect(file.response.body[2].__data__.choices[0].delta.content).toBe(' Tell');

  await upstream.close();
  const before = upstream.connections;
  const replayed = await withReplay({ llmMode: 'replay' }, async (h) => {
    const r = await streamChat(upstream.url);
    expect(h.calls).toMatchObject([{ outcome: 'replayed', file: files[0] }]);
    return r;
  });
  expect(upstream.connections).toBe(before);
  // Ids and timestamps are kept exactly as recorded.
  expect(replayed.chunks).toEqual(recorded.chunks);
  expect(replayed.text).toBe(recorded.text);
  expect(replayed.usage).toEqual(recorded.usage);
});

test('tool calls and non-streaming JSON replay as recorded', async () => {
  const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
  const ask = async () => {
    const client = openai(upstream.url);
    const streamed = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, stream: true }).finalChatCompletion();
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }] });
    return { streamed, whole };
  };
  const recorded = await withReplay({ llmMode: 'record' }, ask);
  expect(recorded.streamed.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } });
  expect(recorded.whole.choices[0].message.content).toBe('Echo: Say hi');
  await upstream.close();
  const replayed = await withReplay({ llmMode: 'replay' }, ask);
  expect(replayed).toEqual(recorded);
  const whole = recordings().map((f) => JSON.parse(fs.readFileSync(f, 'utf8'))).find((f) => !f.response.is_streaming);
  expect(whole.response).toMatchObject({ framing: 'json', body: { __type__: 'openai.types.chat.chat_completion.ChatCompletion', __data__: { object: 'chat.completion' } } });
});

test('replayed chunks arrive as separate reads, paced or not', async () => {
  await withReplay({ llmMode: 'record' }, () => streamChat(upstream.url, { messages: [{ role: 'user', content: 'one two three four five six' }] }));
  const [file] = recordings();
  const events: { t: number }[] = JSON.parse(fs.readFileSync(file, 'utf8')).response.body;
  const recordedGaps = events.slice(1).map((e, i) => e.t - events[i].t);
  expect(Math.min(...recordedGaps)).toBeGreaterThan(10); // the upstream waits ~25 ms per token
  await upstream.close();

  const readAll = (pace: number) =>
    withReplay({ llmMode: 'replay', llmPace: pace }, async () => {
      const res = await fetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six' }], stream: true, stream_options: { include_usage: true } }),
      });
      const reader = res.body!.getReader();
      const reads: string[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads.push(Buffer.from(value).toString());
      }
      return reads;
    });

  const fast = await readAll(0);
  expect(fast).toHaveLength(events.length + 1);
  fast.slice(0, -1).forEach((r, i) => expect(JSON.parse(r.replace(/^data: /, ''))).toEqual((events[i] as any).__data__));
  expect(fast.at(-1)).toBe('data: [DONE]\n\n');

  // Paced, the same reads. How long each waits (the recorded gaps, scaled by the pace) is checked
  // exactly, with no real time, by the conformance case on the memory transport
  // (tests/conformance/cases.ts) and tests/unit/replay.spec.ts.
  expect(await readAll(1)).toEqual(fast);
  expect(await readAll(0.5)).toEqual(fast);
});

test('identical requests replay in order; past the last, the last repeats', async () => {
  const ask = () => streamChat(upstream.url, { messages: [{ role: 'user', content: 'same' }] });
  const recorded = await withReplay({ llmMode: 'record' }, async () => [await ask(), await ask()]);
  expect(recorded[0].chunks[0].id).not.toBe(recorded[1].chunks[0].id);
  expect(recordings().map((f) => path.basename(f)).sort()).toEqual([expect.stringMatching(/^chat-completions\.[0-9a-f]{12}\.2\.json$/), expect.stringMatching(/^chat-completions\.[0-9a-f]{12}\.json$/)]);
  await upstream.close();
  const replayed = await withReplay({ llmMode: 'replay' }, async () => [await ask(), await ask(), await ask()]);
  expect(replayed.map((r) => r.chunks[0].id)).toEqual([recorded[0].chunks[0].id, recorded[1].chunks[0].id, recorded[1].chunks[0].id]);
});

test('upstream failures pass through unchanged and are not stored', async () => {
  await withReplay({ llmMode: 'record' }, async (h) => {
    const client = openai(upstream.url);
    const limited = await client.chat.completions.create({ model: 'rate-limited', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.message).toBe('429 Rate limit reached for requests');
    const broken = await client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e) => e);
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    expect(h.calls.map((c) => c.outcome)).toEqual(['not-recorded', 'not-recorded']);
    expect(h.calls[0].reason).toMatch(/upstream answered 429/);
    await upstream.close();
    const refused = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(h.calls[2]).toMatchObject({ outcome: 'not-recorded', reason: expect.stringMatching(/upstream failed/) });
  });
  expect(recordings()).toEqual([]);
});

test('a miss in replay mode connects to nothing and says what to do', async () => {
  await withReplay({ llmMode: 'record' }, () => streamChat(upstream.url, { messages: [{ role: 'user', content: 'recorded prompt' }] }));
  const before = upstream.connections;
  await withReplay({ llmMode: 'replay' }, async (h) => {
    const err = await streamChat(upstream.url, { messages: [{ role: 'user', content: 'another prompt' }], temperature: 0.2 }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const message = String(err.message);
    expect(message).toContain(`no recording for POST ${upstream.url}/v1/chat/completions (model gpt-4o-mini) in replay mode`);
    expect(message).toMatch(/Closest recording: .*suite\/test\/chat-completions\.[0-9a-f]{12}\.json/);
    expect(message).toContain('body fields that differ: messages[0].content, temperature');
    expect(message).toContain('messages[0].content: "another prompt" (recorded: "recorded prompt")');
    expect(message).toContain('temperature: 0.2 (recorded: (absent))');
    expect(message).toContain('To record it: LLM_REPLAY_MODE=record npx playwright test');
    expect(h.calls).toMatchObject([{ outcome: 'missed' }]);
    expect(h.errors).toHaveLength(1);
  });
  expect(upstream.connections).toBe(before);
});

test('Anthropic SSE with event names and Ollama NDJSON record and replay', async () => {
  const ask = async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test-SECRET', baseURL: upstream.url, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-5', max_tokens: 64, messages: [{ role: 'user', content: 'Bonjour' }] });
    const events: string[] = [];
    stream.on('streamEvent', (e) => events.push(e.type));
    const message = await stream.finalMessage();
    const res = await fetch(`${upstream.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hallo Welt' }] }) });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    return { events, text: message.content, id: message.id, ollama: lines.map((l) => l.message.content).join(''), done: lines.at(-1).done };
  };
  const recorded = await withReplay({ llmMode: 'record', llmUrls: [`${upstream.url}/**`] }, ask);
  expect(recorded.text).toEqual([{ type: 'text', text: 'Echo: Bonjour', citations: undefined }].map(({ citations, ...t }) => expect.objectContaining(t)));
  expect(recorded.events).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  expect(recorded.ollama).toBe('Echo: Hallo Welt');
  const files = recordings().map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const messages = files.find((f) => f.request.endpoint === '/v1/messages');
  expect(messages.response.body.map((e: any) => e.event)).toContain('ping');
  expect(JSON.stringify(messages)).not.toContain('sk-ant');
  expect(files.find((f) => f.request.endpoint === '/api/chat').response.framing).toBe('ndjson');
  await upstream.close();
  expect(await withReplay({ llmMode: 'replay' }, ask)).toEqual(recorded);
});

test('requests to other hosts pass through untouched', async () => {
  await withReplay({ llmMode: 'replay', llmUrls: [] }, async (h) => {
    const res = await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
    expect((await res.json()).choices[0].message.content).toBe('Echo: hi');
    expect(h.calls).toEqual([]);
  });
  expect(recordings()).toEqual([]);
});

test('bodies of every kind reach other hosts as fetch sends them (form data, blobs, search params, streams)', async () => {
  const echo = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d) => parts.push(d)).on('end', () => res.end(JSON.stringify({ type: req.headers['content-type'] ?? null, body: Buffer.concat(parts).toString() })));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/upload`;
  const send = async (body: BodyInit) => (await (await fetch(url, { method: 'POST', body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit)).json()) as { type: string; body: string };
  const sent = async () => {
    const form = new FormData();
    form.append('field', 'value');
    form.append('file', new Blob(['file contents'], { type: 'text/plain' }), 'a.txt');
    return {
      form: await send(form),
      blob: await send(new Blob(['blob body'], { type: 'application/octet-stream' })),
      params: await send(new URLSearchParams({ q: 'search', n: '1' })),
      bytes: await send(new TextEncoder().encode('some bytes')),
      stream: await send(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('streamed body')), c.close()) })),
    };
  };
  try {
    const direct = await sent();
    const through = await withReplay({ llmMode: 'replay', llmUrls: [] }, sent);
    // Multipart boundaries are random: compare the form's shape with its boundary taken out.
    const unbound = (x: { type: string; body: string }) => {
      const boundary = /boundary=(.+)$/.exec(x.type)?.[1] ?? '';
      return { type: x.type.replace(boundary, 'B'), body: x.body.split(boundary).join('B') };
    };
    expect(unbound(through.form)).toEqual(unbound(direct.form));
    expect(through.form.body).toContain('file contents');
    expect({ ...through, form: null }).toEqual({ ...direct, form: null });
  } finally {
    echo.close();
  }
});

test('undici’s own request() and fetch() (new-style handlers) record and replay too', async () => {
  const { request, fetch: undiciFetch } = await import('undici');
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'via undici' }], stream: true });
  const ask = async () => {
    const a = await request(`${upstream.url}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const viaRequest = await a.body.text();
    const b = await undiciFetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { viaRequest, viaFetch: await b.text(), status: [a.statusCode, b.status] };
  };
  const recorded = await withReplay({ llmMode: 'record' }, ask);
  expect(recorded.status).toEqual([200, 200]);
  expect(recorded.viaRequest).toContain('data: [DONE]');
  await upstream.close();
  const replayed = await withReplay({ llmMode: 'replay' }, async (h) => {
    const r = await ask();
    expect(h.calls.map((c) => c.outcome)).toEqual(['replayed', 'replayed']);
    return r;
  });
  // The second call replays the second recording; both are what was recorded, byte for byte
  // but for the JSON spacing the stand-in upstream never adds.
  expect(replayed).toEqual(recorded);
});

const LONG = 'a long answer with many many words in it, going on and on for thirty words or so until the stream takes most of a second to arrive in full';

test('a caller that aborts mid-stream: replay stops; recording still reads the answer to its end and stores it', async () => {
  const abortAfterTwo = async () => {
    const controller = new AbortController();
    const stream = await openai(upstream.url).chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: LONG }], stream: true },
      { signal: controller.signal },
    );
    // The SDK ends the iteration quietly on its own abort; what matters is that nothing more arrives.
    let n = 0;
    for await (const _ of stream) if (++n === 2) controller.abort();
    return n;
  };
  await withReplay({ llmMode: 'record' }, async (h) => {
    expect(await abortAfterTwo()).toBe(2);
    // The caller was not kept waiting: the answer is still being read (and recorded) after its abort.
    expect(h.calls[0].outcome).toBe('pending');
    await h.settled();
    expect(h.calls[0].outcome).toBe('recorded');
  });
  const [file] = recordings();
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(stored.response.body.map((e: any) => e.__data__.choices[0].delta.content ?? '').join('')).toBe(`Echo: ${LONG}`);
  await upstream.close();
  // Past its first two chunks, the answer is made an hour a chunk: only the abort can end it in time.
  stored.response.body.forEach((e: { t: number }, i: number) => (e.t = i < 2 ? 0 : (i - 1) * 3_600_000));
  stored.response.terminator.t = stored.response.body.length * 3_600_000;
  fs.writeFileSync(file, JSON.stringify(stored, null, 2));
  await withReplay({ llmMode: 'replay', llmPace: 1 }, async (h) => {
    expect(await abortAfterTwo()).toBe(2);
    expect(h.calls).toMatchObject([{ outcome: 'replayed' }]);
  });
});

test('a corrupt recording fails the call with the file named; nothing else is lost', async () => {
  await withReplay({ llmMode: 'record' }, () => streamChat(upstream.url));
  const [file] = recordings();
  fs.writeFileSync(file, '{ "request": { "method": "POST", ');
  await withReplay({ llmMode: 'replay' }, async (h) => {
    const err = await streamChat(upstream.url).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0].message).toMatch(/^playwright-llm-replay: recording .* is not valid JSON \(.*\)\. Fix it, or delete it and record again\.$/);
    expect(h.errors[0].message).toContain(file);
  });
  expect(fs.readFileSync(file, 'utf8')).toBe('{ "request": { "method": "POST", ');
});

test('a recording edited by hand is served for the request it holds now, never for the old one', async () => {
  await withReplay({ llmMode: 'record' }, () => streamChat(upstream.url, { messages: [{ role: 'user', content: 'the old question' }] }));
  const [file] = recordings();
  const x = JSON.parse(fs.readFileSync(file, 'utf8'));
  x.request.body.messages[0].content = 'the edited question';
  fs.writeFileSync(file, JSON.stringify(x, null, 2));
  await upstream.close();
  await withReplay({ llmMode: 'replay' }, async (h) => {
    const edited = await streamChat(upstream.url, { messages: [{ role: 'user', content: 'the edited question' }] });
    expect(edited.text).toBe('Echo: the old question'); // the answer recorded, now for the question it holds
    const old = await streamChat(upstream.url, { messages: [{ role: 'user', content: 'the old question' }] }).catch((e) => e);
    expect(old).toBeInstanceOf(OpenAI.NotFoundError);
    expect(h.calls.map((c) => c.outcome)).toEqual(['replayed', 'missed']);
    expect(h.calls[0].file).toBe(file);
    // The miss says which file holds another request than its name, and what to rename it to.
    expect(String(old.message)).toMatch(new RegExp(`${path.basename(file).replace(/\./g, '\\.')} holds a different request than its name says \\(edited by hand\\?\\); rename it to chat-completions\\.[0-9a-f]{12}\\.json`));
  });
});

test('llm.calls shows a call as pending while it is being recorded, and the test can wait for it', async () => {
  await withReplay({ llmMode: 'record' }, async (h) => {
    const controller = new AbortController();
    const stream = await openai(upstream.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: LONG }], stream: true }, { signal: controller.signal });
    for await (const _ of stream) break;
    controller.abort();
    expect(h.calls).toMatchObject([{ outcome: 'pending', where: 'worker' }]);
    await h.settled();
    expect(h.calls).toMatchObject([{ outcome: 'recorded' }]);
  });
  expect(recordings()).toHaveLength(1);
});
