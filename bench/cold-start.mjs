// Cold start to the first replay, in a fresh process, with 100, 1,000 and 10,000 recordings under
// llmDir (ten per test folder): the recording in the test's own folder, or only elsewhere under
// llmDir. Against undici's MockAgent set up with the same answer.
// Goal: ≤ 25 ms with the hit in the test's folder, ≤ 40 ms elsewhere; flat in the number of recordings.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { compare, ratio, size, SMOKE } from './lib.mjs';
import { tempDir, writeRecordings, body } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const counts = SMOKE ? [20] : [100, 1000, 10000];
const child = (...args) => Number(execFileSync(process.execPath, [path.join(here, 'cold-child.mjs'), ...args], { encoding: 'utf8' }).trim());

let last;
for (const n of counts) {
  const root = tempDir(`cold-${n}`);
  // n recordings in n/10 test folders; the question asked is the first of the last folder.
  for (let f = 0; f < n / 10; f++) writeRecordings(root, { count: 10, folder: `spec-${f}.spec.ts/test-${f}`, bodyOf: (i) => body(f * 10 + i) });
  const question = String(n - 10);
  const own = `spec-${n / 10 - 1}.spec.ts/test-${n / 10 - 1}`;
  last = await compare(`Cold start to the first replay, ${n} recordings under llmDir`, 'ms', {
    'undici MockAgent': async () => child('mockagent', root, own, question),
    'playwright-llm-replay, hit in the test folder': async () => child('plugin', root, own, question),
    'playwright-llm-replay, hit elsewhere': async () => child('plugin', root, 'a-new.spec.ts/a-new-test', question),
  });
}
console.log(`at ${counts.at(-1)} recordings: hit elsewhere ${last['playwright-llm-replay, hit elsewhere'].toFixed(1)} ms (goal ≤ 40)`);
ratio(`hit in the test folder / MockAgent at ${counts.at(-1)} recordings (${last['playwright-llm-replay, hit in the test folder'].toFixed(1)} ms, goal ≤ 25 ms)`, last['playwright-llm-replay, hit in the test folder'] / last['undici MockAgent'], 'ms ≤ 25');
