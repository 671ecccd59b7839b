// Faults and virtual time used wrongly: a clear error at the call, or the test fails at its end
// with a message naming the fault (child runs, as a user meets them).
import { test, expect, LlmOptionError } from 'playwright-llm-replay';
import { runProject } from '../support/child.js';
import { startUpstream } from '../support/upstream.js';

test('an invalid fault is refused at the call, naming it and what is wrong', async ({ llm }) => {
  const refused = async (...args: Parameters<typeof llm.fault>) => {
    const error = await llm.fault(...args).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(LlmOptionError);
    return error!.message;
  };
  expect(await refused('**/chat/completions', { explode: true } as never)).toBe(
    'playwright-llm-replay: llm.fault("**/chat/completions", { explode: true }): unknown kind of fault (explode); use { status }, { dropAfter }, { stallAfter, ms }, { errorEvent, after }, { firstChunkDelay } or, for a WebSocket, { closeAfter, code?, reason? }.',
  );
  expect(await refused('**/chat/completions', { dropAfter: -1 })).toContain('{ dropAfter: -1 }): dropAfter must be a whole number of at least 0 (got -1).');
  expect(await refused('**/chat/completions', { stallAfter: 2 } as never)).toContain('ms must be a whole number of at least 0 (got undefined)');
  expect(await refused('**/chat/completions', { status: 429, dropAfter: 1 } as never)).toContain('it has status and dropAfter: give one kind of fault per call.');
  expect(await refused('**/chat/completions', { status: 700 })).toContain('status must be an HTTP status from 100 to 599 (got 700)');
  expect(await refused('**/chat/completions', { dropAfter: 1 }, { times: 0 })).toContain('times must be a whole number of at least 1 (got 0)');
  expect(await refused('**/chat/completions', { dropAfter: 1 }, { nth: -2 })).toContain('nth must be a whole number of at least 1 (got -2)');
  expect(await refused('**/chat/completions', { dropAfter: 1 }, { count: 1 } as never)).toContain('unknown option count; use times, model, nth.');
  expect(await refused('', { dropAfter: 1 })).toContain('the URL must be a glob (as in page.route) or a RegExp.');
});

test('a fault no call got, dropAfter beyond the answer, an error event for JSON, virtual time without a clock: the test fails, saying which', async ({}, testInfo) => {
  test.slow();
  const upstream = await startUpstream({ tokenDelay: 2, deterministic: true });
  try {
    const run = await runProject('faults', [], { UPSTREAM: upstream.url, LLM_DIR: testInfo.outputPath('llm'), OUT_DIR: testInfo.outputPath('results') });
    expect(run.code, run.output).toBe(1);
    const errors = (title: string) => {
      expect(run.results[title]?.status, title).toBe('failed');
      return run.results[title].errors.join('\n');
    };
    expect(errors('a fault no call got')).toContain(
      'playwright-llm-replay: the fault { status: 500 } for **/embeddings got no call: no LLM call of this test matched it. Check the URL pattern, or remove the fault.',
    );
    expect(errors('dropAfter beyond the answer')).toMatch(/the fault \{ dropAfter: 500 \} for \*\*\/chat\/completions: the answer has \d+ chunks, so there is no chunk 500 to act after\. Use a number from 0 to \d+\./);
    expect(errors('errorEvent on an answer in one piece')).toContain(
      'playwright-llm-replay: the fault { errorEvent: true, after: 0 } for **/chat/completions needs a streamed answer, and the call it matched was answered in one piece (json); it was answered as recorded. Pick streamed calls only',
    );
    expect(errors('a replay in the worker without a clock')).toContain("llmPace is 'clock', but the test has not installed a clock: POST");
    expect(errors('a replay in the worker without a clock')).toContain('made by the test worker, was replayed at the recorded timing in real time. Call page.clock.install() before the call');
    expect(errors('a replay in the page without a clock')).toContain('made by the page, was replayed at the recorded timing in real time.');
  } finally {
    await upstream.close();
  }
});
