// The demo chat app's e2e suite, in its modes: the page calls the LLM API itself, or posts to the
// app's /api/chat and the app's server calls it (the plugin is preloaded there through
// llmServerEnv() in the webServer entry), or talks to the OpenAI Realtime API over a WebSocket. It uses only the plugin's public API. Its recordings are
// committed under fixtures/llm/demo/, so `npm run demo` runs offline; `npm run record` records
// them again against the local stand-in upstream (OPENAI_BASE_URL).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test, expect, type LlmFixture, type Page } from 'playwright-llm-replay';

const api = process.env.OPENAI_BASE_URL;
// The stand-in's Realtime API, on the same port (recording); else the built-in wss://api.openai.com/v1/realtime.
const realtimeApi = api?.replace(/^http/, 'ws');
test.use({ llmUrls: api ? [`${api}/**`, `${realtimeApi}/**`] : [] });

async function openChat(page: Page, query: Record<string, string> = {}) {
  const params = new URLSearchParams({ ...(api ? { baseURL: api } : {}), ...query });
  await page.goto(`/?${params}`);
}

async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const assistant = (page: Page) => page.locator('.message.assistant');

// The voice note the user attaches: a committed quarter second of tone (scripts/make-voice-note.mjs).
// The stand-in upstream hears a file as its length and digest, so this is what it was transcribed as.
const VOICE_NOTE = fs.readFileSync(new URL('./voice-note.wav', import.meta.url));
const HEARD = `Heard ${VOICE_NOTE.length} bytes of audio. Digest ${crypto.createHash('sha256').update(VOICE_NOTE).digest('hex').slice(0, 8)}.`;

async function attachVoiceNote(page: Page) {
  await page.getByLabel('Voice note').setInputFiles({ name: 'voice-note.wav', mimeType: 'audio/wav', buffer: VOICE_NOTE });
}

/** Each call's path, model, where it was made and its outcome, once all n have ended. */
async function callsMade(llm: LlmFixture, n: number) {
  await expect(llm).toHaveCalled({ times: n });
  await expect(llm).toHaveNoPendingCalls();
  return llm.calls.map((c) => ({ path: new URL(c.url).pathname, model: c.model, where: c.where, outcome: c.outcome }));
}
const served = expect.stringMatching(/^(replayed|recorded)$/);

test('the answer streams in and renders', async ({ page, llm }) => {
  await openChat(page);
  await send(page, 'What is the capital of France?');
  await expect(assistant(page)).toHaveText('Echo: What is the capital of France?');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeHidden();
  await expect(page.getByRole('status')).toBeHidden();
  expect(llm.calls).toHaveLength(1);
});

test('each request carries the whole conversation', async ({ page, llm }) => {
  await openChat(page);
  await send(page, 'Hello');
  await expect(assistant(page)).toHaveText(['Echo: Hello']);
  await send(page, 'And how are you?');
  await expect(assistant(page)).toHaveText(['Echo: Hello', 'Echo: And how are you?']);
  expect(llm.calls).toHaveLength(2);
});

// A tenth of the recorded pace: the Stop button stays up for seconds, so a loaded machine still
// clicks it mid-stream. (The recorded gaps are kept in proportion.)
test.describe('at the recorded pace', () => {
  test.use({ llmPace: 0.1 });

  test('Stop is shown while streaming and leaves a partial answer', async ({ page }) => {
    const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    await openChat(page);
    await send(page, words);
    const stop = page.getByRole('button', { name: 'Stop' });
    await expect(stop).toBeVisible();
    await expect(page.getByRole('status')).toHaveText('Assistant is typing…');
    await expect(assistant(page)).toContainText('one two');
    await stop.click();
    await expect(assistant(page)).toHaveClass(/stopped/);
    const partial = await assistant(page).textContent();
    expect(`Echo: ${words}`.startsWith(partial!)).toBe(true);
    expect(partial!.length).toBeLessThan(`Echo: ${words}`.length);
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  });
});

test('the seed recording renders in the page', async ({ page }) => {
  test.skip(!!api, 'the seed is replayed, never recorded');
  await openChat(page, { baseURL: 'https://api.fireworks.ai/inference/v1', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct' });
  await send(page, 'Hello, world!');
  await expect(assistant(page)).toHaveText("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
});

// A model answers the same question differently from run to run. Three answers are recorded for this
// test (`LLM_REPLAY_MODE=record npx playwright test --repeat-each=3`): a short one, a long one with a
// table, a refusal. `--repeat-each=3` replays one to each repetition; a plain run, the first.
test('any answer the model gives renders whole: a short one, a long one with a table, a refusal', async ({ page, llm }) => {
  await openChat(page);
  await send(page, 'Surprise me: where should I go for a long weekend?');
  // Send is back once the answer has streamed in whole.
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  const bubble = assistant(page);
  await expect(bubble).not.toBeEmpty();
  await expect(page.getByRole('alert')).toBeHidden();
  // However long its lines, the answer wraps inside the chat: nothing to scroll sideways.
  expect(await bubble.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  // The next question can be asked.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEditable();
  expect(llm.variant).toBeLessThan(3);
});

test.describe('server-side mode', () => {
  test('the server streams the answer on to the page', async ({ page, llm }) => {
    await openChat(page, { mode: 'server' });
    await send(page, 'What is the tallest mountain?');
    await expect(assistant(page)).toHaveText('Echo: What is the tallest mountain?');
    await send(page, 'And the deepest lake?');
    await expect(assistant(page)).toHaveText(['Echo: What is the tallest mountain?', 'Echo: And the deepest lake?']);
    // The server's calls were made for this test, in this test's folder.
    await expect(llm).toHaveCalled({ where: 'server', times: 2 });
    await expect(llm).toHaveNoPendingCalls();
    for (const call of llm.calls) expect(call.file).toContain(llm.dir);
  });

  test.describe('at the recorded pace', () => {
    test.use({ llmPace: 0.1 });
    test('Stop cancels the server’s stream and leaves a partial answer', async ({ page }) => {
      const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon';
      await openChat(page, { mode: 'server' });
      await send(page, words);
      await expect(assistant(page)).toContainText('alpha beta');
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect(assistant(page)).toHaveClass(/stopped/);
      const partial = await assistant(page).textContent();
      expect(`Echo: ${words}`.startsWith(partial!)).toBe(true);
      expect(partial!.length).toBeLessThan(`Echo: ${words}`.length);
    });
  });
});

// A voice note: the page uploads it to the speech-to-text API (fetch with a FormData), or posts it to
// the app's /api/transcribe and the server uploads it with the openai SDK. The transcript is the
// user's message, and is asked as one.
for (const mode of ['browser', 'server'] as const) {
  const where = mode === 'server' ? 'server' : 'page';
  test(`a voice note is transcribed, sent as the message, and answered (${mode} mode)`, async ({ page, llm }) => {
    await openChat(page, mode === 'server' ? { mode } : {});
    await attachVoiceNote(page);
    await expect(page.locator('.message.user')).toHaveText([HEARD]);
    await expect(page.locator('.message.user')).toHaveClass(/voice/);
    await expect(assistant(page)).toHaveText([`Echo: ${HEARD}`]);
    await expect(page.getByRole('status')).toBeHidden();
    await send(page, 'Thanks');
    await expect(assistant(page)).toHaveText([`Echo: ${HEARD}`, 'Echo: Thanks']);
    expect(await callsMade(llm, 3)).toEqual([
      { path: '/v1/audio/transcriptions', model: 'whisper-1', where, outcome: served },
      { path: '/v1/chat/completions', model: 'gpt-4o-mini', where, outcome: served },
      { path: '/v1/chat/completions', model: 'gpt-4o-mini', where, outcome: served },
    ]);
  });
}

// The unhappy paths, from the same real recordings: faults injected with llm.fault, and the page's
// timers (the app's retry wait, its "Still thinking…" hint) on Playwright's clock. In both modes: the
// page calls the API, or the app's server does (it gets the test's faults through its attribution).
for (const mode of ['browser', 'server'] as const) {
  test.describe(`when things go wrong (${mode} mode)`, () => {
    const chat = (page: Page) => openChat(page, mode === 'server' ? { mode } : {});
    /** Waits until the app (page or server) has made its n-th call: the clock may move from then on. */
    const made = (llm: LlmFixture, n: number) => expect(llm).toHaveCalled({ where: mode === 'server' ? 'server' : 'page', times: n });
    const alert = (page: Page) => page.getByRole('alert');
    const retry = (page: Page) => page.getByRole('button', { name: 'Retry' });

    test('an API error is shown readably, and Retry asks again', async ({ page, llm }) => {
      await llm.fault('**/chat/completions', { status: 500, body: { error: { message: 'The model is overloaded', type: 'server_error' } } }, { times: 1 });
      await chat(page);
      await send(page, 'Anyone there?');
      await expect(alert(page)).toHaveText('The assistant is unavailable (500): The model is overloaded');
      await expect(assistant(page)).toHaveCount(0);
      await retry(page).click();
      await expect(assistant(page)).toHaveText('Echo: Anyone there?');
      await expect(alert(page)).toBeHidden();
      await expect(page.locator('.message.user')).toHaveText(['Anyone there?']);
      await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['faulted', expect.stringMatching(/^(replayed|recorded)$/)]);
    });

    test('a 429 is retried on its own, after the retry-after it asked for', async ({ page, llm }) => {
      await page.clock.install({ time: 0 });
      await page.clock.pauseAt(1000);
      await llm.fault('**/chat/completions', { status: 429, headers: { 'retry-after': '3' } }, { times: 1 });
      await chat(page);
      await send(page, 'Are you busy?');
      await expect(page.getByRole('status')).toHaveText('Rate limited, retrying in 3 s…');
      await page.clock.runFor(2900);
      await expect(page.getByRole('status')).toHaveText('Rate limited, retrying in 3 s…');
      expect(llm.calls).toHaveLength(1);
      await page.clock.runFor(200);
      await expect(assistant(page)).toHaveText('Echo: Are you busy?');
      await expect(alert(page)).toBeHidden();
      expect(llm.calls.map((c) => c.fault)).toEqual(['{ status: 429, headers: { "retry-after": "3" } }', undefined]);
    });

    test.describe('on the clock', () => {
      test.use({ llmPace: 'clock' });

      test('after 2 s without a token the UI says "Still thinking…", until the answer comes', async ({ page, llm }) => {
        await page.clock.install({ time: 0 });
        await page.clock.pauseAt(1000);
        await llm.fault('**/chat/completions', { firstChunkDelay: 6000 });
        await chat(page);
        await send(page, 'Think hard');
        await made(llm, 1);
        await expect(page.getByRole('status')).toHaveText('Assistant is typing…');
        await page.clock.runFor(1990);
        await expect(page.getByRole('status')).toHaveText('Assistant is typing…');
        await page.clock.runFor(20);
        await expect(page.getByRole('status')).toHaveText('Still thinking…');
        await expect(assistant(page)).toHaveText('');
        await page.clock.runFor(4500); // 6.5 s: the first words are in
        await expect(assistant(page)).toContainText('Echo:');
        await page.clock.runFor(10_000);
        await expect(assistant(page)).toHaveText('Echo: Think hard');
        await expect(page.getByRole('status')).toBeHidden();
      });
    });

    test('a stream that drops mid-answer: the partial answer is marked, and Retry gets the whole one', async ({ page, llm }) => {
      await llm.fault('**/chat/completions', { dropAfter: 3 }, { times: 1 });
      await chat(page);
      await send(page, 'Tell me everything');
      await expect(alert(page)).toHaveText('The connection dropped before the answer was complete.');
      await expect(assistant(page)).toHaveClass(/interrupted/);
      expect('Echo: Tell me everything'.startsWith((await assistant(page).textContent())!)).toBe(true);
      await retry(page).click();
      await expect(assistant(page)).toHaveText('Echo: Tell me everything');
      await expect(assistant(page)).not.toHaveClass(/interrupted/);
      await expect(alert(page)).toBeHidden();
      await expect.poll(() => llm.calls.map((c) => c.fault)).toEqual(['{ dropAfter: 3 }', undefined]);
    });

    test('a voice note the API fails to transcribe is said so and nothing is asked; the next one is', async ({ page, llm }) => {
      await llm.fault('**/audio/transcriptions', { status: 500, body: { error: { message: 'The audio could not be decoded' } } }, { times: 1 });
      await chat(page);
      await attachVoiceNote(page);
      await expect(alert(page)).toHaveText('The voice note could not be transcribed (500): The audio could not be decoded');
      await expect(retry(page)).toBeHidden();
      await expect(page.locator('.message')).toHaveCount(0);
      await attachVoiceNote(page);
      await expect(assistant(page)).toHaveText(`Echo: ${HEARD}`);
      await expect(page.locator('.message.user')).toHaveText([HEARD]);
      await expect(alert(page)).toBeHidden();
      const where = mode === 'server' ? 'server' : 'page';
      expect((await callsMade(llm, 3)).map((c) => [c.path, c.where, c.outcome])).toEqual([
        ['/v1/audio/transcriptions', where, 'faulted'],
        ['/v1/audio/transcriptions', where, served],
        ['/v1/chat/completions', where, served],
      ]);
    });

    test('the provider’s own error mid-stream is shown, and Retry recovers', async ({ page, llm }) => {
      await llm.fault('**/chat/completions', { errorEvent: true, after: 2 }, { times: 1 });
      await chat(page);
      await send(page, 'Keep going');
      await expect(alert(page)).toHaveText('The answer failed: The server had an error while processing your request. (fault injected by playwright-llm-replay)');
      await retry(page).click();
      await expect(assistant(page)).toHaveText('Echo: Keep going');
      await expect(alert(page)).toBeHidden();
    });
  });
}

// A fault's `times` and `nth` count the test's calls wherever they are made: the page's and the
// server's together.
test.describe('faults across the page and the server', () => {
  test('times: 1 is used up by the server’s call; the page’s call after it is answered', async ({ page, llm }) => {
    // A body far bigger than a request header may be: faults do not travel in the header.
    await llm.fault('**/chat/completions', { status: 503, body: { error: { message: `Down for maintenance ${'.'.repeat(20_000)}` } } }, { times: 1 });
    await openChat(page, { mode: 'server' });
    await send(page, 'Hello server');
    await expect(page.getByRole('alert')).toContainText('The assistant is unavailable (503): Down for maintenance');
    await openChat(page);
    await send(page, 'Hello page');
    await expect(assistant(page)).toHaveText('Echo: Hello page');
    expect(llm.calls).toHaveLength(2);
    expect(Object.fromEntries(llm.calls.map((c) => [c.where, c.outcome]))).toEqual({ server: 'faulted', page: expect.stringMatching(/^(replayed|recorded)$/) });
  });

  test('nth: 2 is the second call of the test, made by the page after the server’s', async ({ page, llm }) => {
    await llm.fault('**/chat/completions', { status: 500, body: { error: { message: 'Second call fails' } } }, { nth: 2 });
    await openChat(page, { mode: 'server' });
    await send(page, 'First, from the server');
    await expect(assistant(page)).toHaveText('Echo: First, from the server');
    await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual([expect.stringMatching(/^(replayed|recorded)$/)]);
    await openChat(page);
    await send(page, 'Second, from the page');
    await expect(page.getByRole('alert')).toHaveText('The assistant is unavailable (500): Second call fails');
    expect(llm.calls).toHaveLength(2);
    expect(Object.fromEntries(llm.calls.map((c) => [c.where, c.fault ?? null]))).toEqual({ server: null, page: '{ status: 500, body: { error: { message: "Second call fails" } } }' });
  });
});

// The realtime mode: one WebSocket to the OpenAI Realtime API per session, opened by the page with
// the key in its `openai-insecure-api-key.<key>` subprotocol (never stored). Closing the page closes
// the socket: a socket being recorded is stored then, so the calls are read after it.
test.describe('realtime mode', () => {
  const REALTIME = { mode: 'realtime', ...(realtimeApi ? { realtimeURL: realtimeApi } : {}) };
  const alert = (page: Page) => page.getByRole('alert');
  const outcome = (llm: LlmFixture) => (llm.mode === 'record' ? 'recorded' : 'replayed');
  /** Each socket's path, model, where it was opened, its outcome and its fault, once the page has closed. */
  async function socketsOf(page: Page, llm: LlmFixture, n: number) {
    await page.close();
    return (await callsMade(llm, n)).map((c, i) => ({ ...c, fault: llm.calls[i].fault }));
  }

  /**
   * Faults act on replayed sockets: a socket being recorded is relayed live, as it happens. So in a
   * record run a fault test records its conversation whole (the page gets the whole answer) and ends
   * there; its replays inject the fault into that recording.
   */
  async function recordedWhole(page: Page, llm: LlmFixture, text: string) {
    if (llm.mode !== 'record') return false;
    await send(page, text);
    await expect(assistant(page)).toHaveText(`Echo: ${text}`);
    return true;
  }

  test('a conversation of two turns over one socket, the answers streamed in', async ({ page, llm }) => {
    await openChat(page, REALTIME);
    await send(page, 'Hello realtime');
    await expect(assistant(page)).toHaveText(['Echo: Hello realtime']);
    await expect(page.getByRole('button', { name: 'Stop' })).toBeHidden();
    await expect(page.getByRole('status')).toBeHidden();
    await send(page, 'And once more');
    await expect(assistant(page)).toHaveText(['Echo: Hello realtime', 'Echo: And once more']);
    await expect(page.locator('.message.user')).toHaveText(['Hello realtime', 'And once more']);
    await expect(page.getByRole('status')).toBeHidden();
    await expect(alert(page)).toBeHidden();
    expect(await socketsOf(page, llm, 1)).toEqual([{ path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: outcome(llm), fault: undefined }]);
  });

  // Server frames 1–9 set the session up and open the response (session.created, session.updated,
  // the user's item added and done, response.created, rate_limits.updated, the output item and its
  // part added); 10 and 11 are the answer's first two deltas ("Echo:", " Tell").
  test('a dropped socket: the partial answer is marked, the banner says its code and reason, and Reconnect asks again on a new socket', async ({ page, llm }) => {
    await openChat(page, REALTIME);
    if (await recordedWhole(page, llm, 'Tell me everything')) return;
    const fault = { closeAfter: 11, code: 1011, reason: 'server going away' };
    await llm.fault('**/v1/realtime*', fault, { times: 1 });
    await send(page, 'Tell me everything');
    await expect(alert(page)).toHaveText('Connection lost (1011): server going away');
    await expect(assistant(page)).toHaveText('Echo: Tell');
    await expect(assistant(page)).toHaveClass(/interrupted/);
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await expect(assistant(page)).toHaveText('Echo: Tell me everything');
    await expect(assistant(page)).not.toHaveClass(/interrupted/);
    await expect(alert(page)).toBeHidden();
    await expect(page.locator('.message.user')).toHaveText(['Tell me everything']);
    // The second socket is the second occurrence of the same connection: past the recorded one, it repeats.
    const sockets = await socketsOf(page, llm, 2);
    expect(sockets).toEqual([
      { path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: 'replayed', fault: '{ closeAfter: 11, code: 1011, reason: "server going away" }' },
      { path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: 'replayed', fault: undefined },
    ]);
    expect(llm.calls[1].file).toBe(llm.calls[0].file);
  });

  test('the provider’s error event mid-answer is shown, and the partial answer is marked', async ({ page, llm }) => {
    await openChat(page, REALTIME);
    if (await recordedWhole(page, llm, 'Keep going')) return;
    await llm.fault('**/v1/realtime*', { errorEvent: true, after: 11 });
    await send(page, 'Keep going');
    await expect(alert(page)).toHaveText('The answer failed: The server had an error while processing your request. (fault injected by playwright-llm-replay)');
    await expect(assistant(page)).toHaveText('Echo: Keep');
    await expect(assistant(page)).toHaveClass(/interrupted/);
    await expect(page.getByRole('button', { name: 'Retry' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    expect(await socketsOf(page, llm, 1)).toEqual([{ path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: 'replayed', fault: '{ errorEvent: true, after: 11 }' }]);
  });

  // The replay goes at once up to the stall (a minute of real time, which Stop ends); the app's
  // "Still thinking…" timer runs on the page's clock.
  test('a stalled answer: "Still thinking…" after 2 s without a delta, Stop ends it, and the next question opens a new socket', async ({ page, llm }) => {
    await page.clock.install({ time: 0 });
    await page.clock.pauseAt(1000);
    await openChat(page, REALTIME);
    if (await recordedWhole(page, llm, 'Take your time')) return;
    await llm.fault('**/v1/realtime*', { stallAfter: 11, ms: 60_000 }, { times: 1 });
    await send(page, 'Take your time');
    await expect(assistant(page)).toHaveText('Echo: Take');
    await expect(page.getByRole('status')).toHaveText('Assistant is typing…');
    await page.clock.runFor(1990);
    await expect(page.getByRole('status')).toHaveText('Assistant is typing…');
    await page.clock.runFor(20);
    await expect(page.getByRole('status')).toHaveText('Still thinking…');
    await expect(assistant(page)).toHaveText('Echo: Take');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(assistant(page)).toHaveClass(/stopped/);
    await expect(assistant(page)).toHaveText('Echo: Take');
    await expect(page.getByRole('status')).toBeHidden();
    await expect(alert(page)).toBeHidden();
    // Stop closed the socket: asking again opens a new one, which answers in full.
    await send(page, 'Take your time');
    await expect(assistant(page)).toHaveText(['Echo: Take', 'Echo: Take your time']);
    await expect(alert(page)).toBeHidden();
    expect(await socketsOf(page, llm, 2)).toEqual([
      { path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: 'replayed', fault: '{ stallAfter: 11, ms: 60000 }' },
      { path: '/v1/realtime', model: 'gpt-realtime', where: 'page', outcome: 'replayed', fault: undefined },
    ]);
  });
});
