import { test } from 'playwright-llm-replay';

const chat = (content: string) =>
  fetch(`${process.env.UPSTREAM}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-child' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true }),
  }).then(async (res) => {
    try {
      await res.text();
    } catch {
      // a dropped stream: what the test asserts on is the fixture's error
    }
  });

test('a fault no call got', async ({ llm }) => {
  await llm.fault('**/embeddings', { status: 500 });
  await chat('unused fault');
});

test('dropAfter beyond the answer', async ({ llm }) => {
  await llm.fault('**/chat/completions', { dropAfter: 500 });
  await chat('short answer');
});

test('errorEvent on an answer in one piece', async ({ llm }) => {
  await llm.fault('**/chat/completions', { errorEvent: true, after: 0 });
  const res = await fetch(`${process.env.UPSTREAM}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-child' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not streamed' }] }),
  });
  // Answered as recorded: still the JSON it was.
  JSON.parse(await res.text());
});

test.describe('at pace clock', () => {
  test.use({ llmPace: 'clock' });

  test('a replay in the worker without a clock', async () => {
    await chat('no clock here');
    await chat('no clock here'); // replayed: its waits need the clock
  });

  test('a replay in the page without a clock', async ({ page }) => {
    await page.goto('about:blank');
    await chat('no clock in the page'); // recorded from the worker
    await page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no clock in the page' }], stream: true }) });
      await res.text();
    }, `${process.env.UPSTREAM}/v1/chat/completions`);
  });
});
