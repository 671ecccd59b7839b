// `npm run bench`: every benchmark, one after another, each in its own process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BENCHES = ['replay-fetch.mjs', 'replay-openai.mjs', 'replay-repeat.mjs', 'replay-json.mjs', 'page.mjs', 'cold-start.mjs', 'big.mjs', 'record-ttfb.mjs', 'socket-relay.mjs'];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = 0;
  for (const bench of BENCHES) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--no-warnings', path.join(here, bench)], { stdio: 'inherit' });
    if (run.status !== 0) failed++;
    console.log();
  }
  process.exit(failed ? 1 : 0);
}
