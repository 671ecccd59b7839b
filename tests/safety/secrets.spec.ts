// Secrets never reach disk: a project whose calls carry keys, organisation and project ids in
// headers, the query and the body, from the worker, the page, the app's server and the proxy,
// runs once recording and once missing every call; then everything it wrote — recordings,
// test-results, the HTML report (its zipped data too) — is searched for them.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
import { runProject } from '../support/child.js';
import { startUpstream } from '../support/upstream.js';
import { freePort } from '../support/ports.js';
import { unzip } from '../support/zip.js';

test.slow();

const secrets = {
  openai: 'sk-proj-OpenAiSecretKey0123456789abcdefghij',
  anthropic: 'sk-ant-api03-AnthropicSecret0123456789abcdef',
  google: 'AIzaSyGoogleSecretKey0123456789abcdefgh',
  server: 'sk-ServerSideSecretKey0123456789abcdefgh',
  proxy: 'sk-ProxyBackendSecretKey0123456789abcdef',
  org: 'org-OrganisationIdSecret012345',
  project: 'proj_ProjectIdSecret0123456789',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.SignatureSecret0123456789abcdef',
};

/** The text of every file under `dir`, with the HTML report's zipped data unpacked. */
function everythingUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const file of fg.sync('**/*', { cwd: dir, absolute: true, dot: true, onlyFiles: true })) {
    const bytes = fs.readFileSync(file);
    out.push({ file, text: bytes.toString('utf8') });
    const zipped = /id="playwrightReportBase64">data:application\/zip;base64,([^<]+)</.exec(bytes.toString('utf8'));
    if (zipped) for (const [name, entry] of unzip(Buffer.from(zipped[1], 'base64'))) out.push({ file: `${file}#${name}`, text: entry.toString('utf8') });
  }
  return out;
}

test('no key, organisation or project id reaches the recordings, test-results or the HTML report', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 2 });
  try {
    const dirs = { LLM_DIR: testInfo.outputPath('llm'), OUT_DIR: testInfo.outputPath('results'), PLAYWRIGHT_HTML_OUTPUT_DIR: testInfo.outputPath('report') };
    const env = { ...dirs, UPSTREAM: upstream.url, SECRETS: JSON.stringify(secrets), APP_PORT: String(await freePort()), PROXY_PORT: String(await freePort()), PLAYWRIGHT_HTML_OPEN: 'never' };
    const recorded = await runProject('secrets', ['--reporter=json,html'], env);
    expect(Object.entries(recorded.results).map(([t, r]) => [t, r.status])).toEqual([
      ['from the worker, with the official SDK', 'passed'],
      ['from the page', 'passed'],
      ['from the app server', 'passed'],
      ['through the proxy', 'passed'],
      ['a failing test attaches its calls', 'failed'],
    ]);
    const files = fg.sync('**/*.json', { cwd: dirs.LLM_DIR });
    expect(files.length, files.join('\n')).toBe(6);

    const missed = await runProject('secrets', ['--reporter=json,html'], { ...env, CI: '1', PROMPT_SUFFIX: ' again', PLAYWRIGHT_HTML_OUTPUT_DIR: testInfo.outputPath('report-missed'), OUT_DIR: testInfo.outputPath('results-missed') });
    expect(missed.results['from the page'].errors.join('\n')).toContain('no recording for POST');

    const written = [dirs.LLM_DIR, dirs.OUT_DIR, dirs.PLAYWRIGHT_HTML_OUTPUT_DIR, testInfo.outputPath('report-missed'), testInfo.outputPath('results-missed')].flatMap(everythingUnder);
    // The report's zipped data was read, with the failing test's llm-calls.json attachment in it.
    expect(written.some((w) => w.file.includes('#') && w.text.includes('llm-calls.json'))).toBe(true);
    for (const [name, value] of Object.entries(secrets)) {
      const leaks = written.filter((w) => w.text.includes(value)).map((w) => path.relative(testInfo.outputPath(), w.file));
      expect(leaks, `${name} found in`).toEqual([]);
    }
    // The recordings still say what was sent, with placeholders.
    const stored = files.map((f) => fs.readFileSync(path.join(dirs.LLM_DIR, f), 'utf8')).join('\n');
    expect(stored).toContain('"openai-organization": "<redacted>"');
    expect(stored).toContain('key=%3Credacted%3E');
  } finally {
    await upstream.close();
  }
});
