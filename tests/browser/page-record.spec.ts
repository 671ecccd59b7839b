// Recording from the page, in real Chromium: the call is made from Node, stored without the key,
// and the page reads the same text whether the answer was recorded (as the upstream sent it) or
// replayed (one read per recorded event). Every test
// stands alone: in record-missing mode, a second identical request replays what the first recorded.
import fs from 'node:fs';
import { test as base, expect, type Page } from 'playwright-llm-replay';
import fg from 'fast-glob';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { readsInPage } from '../support/page.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ upstream: Upstream; fresh: void }, object>({
  // This file's recordings go to a folder of the worker's own, removed afterwards.
  llmDir: workerLlmDir('llm-page-record'),
  upstream: upstreamFixture({ tokenDelay: 30 }),
  // Each test starts with no recordings (a repeated run records again): none of its own, and none of another
  // test's in the worker's folder, where a recording of the same request would be found and replayed.
  fresh: freshLlmDir,
});
test.use({ llmMode: 'record-missing', llmUrls: ['http://127.0.0.1:*/v1/**'] });

// Each test asks its own question: the worker's folder is shared, and a recording of another test's is found there.
const ask = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true });
const body = ask('one two three four five six seven eight');

test.describe('recorded from the page', () => {
  test('is stored without the key, and replays offline with the same text, one read per recorded event', async ({ page, llm, upstream }) => {
    await page.goto('/');
    const url = `${upstream.url}/v1/chat/completions`;
    const recorded = await readsInPage(page, url, body);
    expect(recorded.status).toBe(200);
    const [file] = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });
    const stored = fs.readFileSync(file, 'utf8');
    expect(stored).not.toContain('sk-page-key');
    expect(recorded.reads.map((r) => r.text).join('')).toContain('"content":" eight"');

    await upstream.close();
    const connections = upstream.connections;
    const replayed = await readsInPage(page, url, body);
    // Recorded, the page read the answer as the upstream sent it (one of its events in two writes); replayed, one read per recorded event, plus [DONE].
    expect(replayed.reads.map((r) => r.text).join('')).toBe(recorded.reads.map((r) => r.text).join(''));
    expect(replayed.reads).toHaveLength(JSON.parse(stored).response.body.length + 1);
    expect(replayed.url).toBe(url);
    expect(upstream.connections).toBe(connections);
    expect(llm.calls).toMatchObject([
      { outcome: 'recorded', file },
      { outcome: 'replayed', file },
    ]);
  });

  test.describe('on the page clock', () => {
    test.use({ llmPace: 'clock' });

    test('the page gets each chunk only when its recorded time has come (on the page clock)', async ({ page, llm, upstream }) => {
      const body = ask('nine ten eleven twelve thirteen fourteen fifteen sixteen');
      await page.goto('/');
      const url = `${upstream.url}/v1/chat/completions`;
      await readsInPage(page, url, body); // recorded live
      const [file] = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });
      const times: number[] = JSON.parse(fs.readFileSync(file, 'utf8')).response.body.map((e: { t: number }) => e.t);
      expect(times.at(-1)! - times[0]).toBeGreaterThan(150); // the upstream waits ~30 ms per token

      // Replayed under Playwright's clock, paused: nothing arrives before its recorded time; each chunk by then.
      await page.clock.install({ time: 0 });
      await page.clock.pauseAt(1000);
      await page.evaluate(
        ({ url, body }) => {
          (window as any).__reads = 0;
          void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (res) => {
            (window as any).__responded = true;
            const reader = res.body!.getReader();
            while (!(await reader.read()).done) (window as any).__reads++;
          });
        },
        { url, body },
      );
      const reads = () => page.evaluate(() => (window as any).__reads as number);
      // The answer's head arrives in real time (the route answers from Node); its chunks then wait for the clock.
      await expect.poll(() => page.evaluate(() => !!(window as any).__responded)).toBe(true);
      // When each chunk is due: its recorded gap after the one before, to the millisecond.
      const due: number[] = [];
      let last = 0;
      for (const t of times) {
        due.push((due.at(-1) ?? 0) + Math.round(Math.max(0, t - last)));
        last = Math.max(last, t);
      }
      const dueBy = (at: number) => due.filter((d) => d <= at).length;
      // Step the clock to just before and just after each due time; the page has then read exactly the chunks due by then.
      let now = 0;
      for (const at of [...new Set(due)].flatMap((d) => [d - 2, d + 1])) {
        if (at <= now) continue;
        await page.clock.runFor(at - now);
        now = at;
        await expect.poll(reads, `at ${at} ms`).toBe(dueBy(at));
      }
      expect(await reads()).toBe(times.length);
    });
  });
});

test.describe('the demo UI', () => {
  const prompt = 'Tell me a story about a small robot';

  /** Asks through the demo UI and counts the chunk reads the app's own reader got. */
  async function askInUi(page: Page, upstream: Upstream) {
    await page.goto(`/?baseURL=${encodeURIComponent(`${upstream.url}/v1`)}`);
    await page.evaluate(() => {
      const read = ReadableStreamDefaultReader.prototype.read;
      (window as any).__reads = 0;
      ReadableStreamDefaultReader.prototype.read = async function (this: ReadableStreamDefaultReader) {
        const result = await read.call(this);
        if (!result.done) (window as any).__reads++;
        return result;
      } as typeof read;
    });
    await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    return { text: await page.locator('.message.assistant').textContent(), reads: await page.evaluate(() => (window as any).__reads as number) };
  }

  test('recorded from the page, then replayed offline with the same text, one read per recorded event', async ({ page, llm, upstream }) => {
    const recorded = await askInUi(page, upstream);
    expect(recorded.text).toBe(`Echo: ${prompt}`);
    const [file] = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });

    await upstream.close();
    const connections = upstream.connections;
    const replayed = await askInUi(page, upstream);
    expect(replayed.text).toBe(recorded.text);
    expect(replayed.reads).toBe(JSON.parse(fs.readFileSync(file, 'utf8')).response.body.length + 1);
    expect(upstream.connections).toBe(connections);
    expect(llm.calls).toMatchObject([{ outcome: 'recorded' }, { outcome: 'replayed' }]);
  });
});
