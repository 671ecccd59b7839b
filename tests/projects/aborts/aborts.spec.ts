import { test, expect } from 'playwright-llm-replay';

const N = 100;
const upstream = `${process.env.UPSTREAM}/v1`;
const long = 'give me a long answer with many words so that the stream goes on for a good while after the first chunk has come';
const body = (i: number) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${i}: ${long}` }], stream: true });

test('the worker gives up on a hundred calls', async ({ llm }) => {
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const controller = new AbortController();
      const res = await fetch(`${upstream}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i), signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => {});
    }),
  );
  expect(llm.calls).toHaveLength(N);
  if (llm.mode !== 'replay') expect(llm.calls.some((c) => c.outcome === 'pending')).toBe(true);
});

test('the page gives up on a hundred calls', async ({ page, llm }) => {
  await page.goto('/');
  await page.evaluate(
    ({ n, url, bodies }) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const controller = new AbortController();
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i], signal: controller.signal });
          const reader = res.body!.getReader();
          await reader.read();
          controller.abort();
        }),
      ),
    { n: N, url: `${upstream}/chat/completions`, bodies: Array.from({ length: N }, (_, i) => body(N + i)) },
  );
  expect(llm.calls).toHaveLength(N);
});

test.describe(() => {
  // When it replays, slowly enough that Stop is still there to press.
  test.use({ llmPace: 0.2 });
  test('Stop while the app server records, as the last test of the run', async ({ page, llm }) => {
    await page.goto('/?mode=server');
    await page.getByRole('textbox', { name: 'Message' }).fill(long);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('.message.assistant')).toContainText('Echo: give');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.locator('.message.assistant')).toHaveClass(/stopped/);
    // The server's call shows at once, pending while it is being recorded.
    await expect.poll(() => llm.calls.filter((c) => c.where === 'server').length).toBe(1);
    if (llm.mode !== 'replay') expect(llm.calls.find((c) => c.where === 'server')!.outcome).toBe('pending');
  });
});
