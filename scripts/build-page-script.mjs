// Bundles the page script (src/browser/page-script.ts) with what it imports (eventsource-parser, the
// chunk header format) into one self-contained file that the route sends to the page as an init
// script: dist/browser/page-script.iife.js. Run by `npm run build`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/browser/page-script.ts'],
  bundle: true,
  format: 'iife',
  globalName: 'llmReplayPage',
  target: 'chrome110',
  outfile: 'dist/browser/page-script.iife.js',
  logLevel: 'warning',
});
