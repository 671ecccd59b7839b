// The demo chat app's e2e suite, in both modes: the page calls the LLM API itself, or posts to the
// app's /api/chat and the app's server calls it (the plugin is preloaded there through
// llmServerEnv() in the webServer entry). It uses only the plugin's public API. Its recordings are
// committed under fixtures/llm/demo/, so `npm run demo` runs offline; `npm run record` records
// them again against the local stand-in upstream (OPENAI_BASE_URL).
import { test, expect, type Page } from 'playwright-llm-replay';

const api = process.env.OPENAI_BASE_URL;
test.use({ llmUrls: api ? [`${api}/**`] : [] });

async function openChat(page: Page, query: Record<string, string> = {}) {
  const params = new URLSearchParams({ ...(api ? { baseURL: api } : {}), ...query });
  await page.goto(`/?${params}`);
}

async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const assistant = (page: Page) => page.locator('.message.assistant');

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

test('an API error is shown readably', async ({ page }) => {
  await page.route('**/chat/completions', (route) =>
    route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests' } }) }),
  );
  await openChat(page);
  await send(page, 'Anyone there?');
  await expect(page.getByRole('alert')).toHaveText('The assistant is unavailable (429): Rate limit reached for requests');
  await expect(assistant(page)).toHaveCount(0);
});

test('the seed recording renders in the page', async ({ page }) => {
  test.skip(!!api, 'the seed is replayed, never recorded');
  await openChat(page, { baseURL: 'https://api.fireworks.ai/inference/v1', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct' });
  await send(page, 'Hello, world!');
  await expect(assistant(page)).toHaveText("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
});

test.describe('server-side mode', () => {
  test('the server streams the answer on to the page', async ({ page, llm }) => {
    await openChat(page, { mode: 'server' });
    await send(page, 'What is the tallest mountain?');
    await expect(assistant(page)).toHaveText('Echo: What is the tallest mountain?');
    await send(page, 'And the deepest lake?');
    await expect(assistant(page)).toHaveText(['Echo: What is the tallest mountain?', 'Echo: And the deepest lake?']);
    // The server's calls were made for this test, in this test's folder.
    await expect.poll(() => llm.calls.filter((c) => c.where === 'server' && c.outcome !== 'pending').length).toBe(2);
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
