// `npx playwright-llm-replay`, through its bin: help everywhere, exit codes a script can use, and
// what each command does to a folder of recordings, a test's answer variants (@variant-k) among them.
// (prune after a real run: tests/fixture/report.spec.ts.)
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';

const bin = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')).bin['playwright-llm-replay'];
const cli = (...args: string[]) => spawnSync(process.execPath, [fromRoot(bin), ...args], { encoding: 'utf8', cwd: fromRoot() });

/** A copy of the committed recordings to work on. */
function recordings(testInfo: { outputPath(...p: string[]): string }): string {
  const dir = testInfo.outputPath('llm');
  fs.cpSync(fromRoot('fixtures/llm'), dir, { recursive: true });
  return dir;
}

test('--help on every command and on none; a wrong command line exits 2 with what was wrong', () => {
  const top = cli('--help');
  expect(top.status).toBe(0);
  for (const command of ['ls', 'show', 'verify', 'prune', 'import', 'proxy']) {
    expect(top.stdout).toContain(command);
    const help = cli(command, '--help');
    expect(help.status, command).toBe(0);
    expect(help.stdout).toContain(`Usage: playwright-llm-replay ${command}`);
  }
  expect(cli().status).toBe(2);
  const unknown = cli('--fly');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain("unknown option '--fly'");
  const command = cli('lst');
  expect(command.status).toBe(2);
  expect(command.stderr).toContain("unknown command 'lst'");
  const flag = cli('ls', '--deep');
  expect(flag.status).toBe(2);
  expect(flag.stderr).toContain("unknown option '--deep'");
  const missing = cli('show');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("missing required argument 'file'");
  expect(cli('proxy', '--upstream', 'https://x', '--port', 'http').stderr).toContain('--port must be a whole number');
});

test('ls lists each test folder: files, endpoint, model, streamed or not, size', ({}, testInfo) => {
  const out = cli('ls', '--dir', recordings(testInfo));
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toContain('demo/chat-app.spec.ts/the-answer-streams-in-and-renders/');
  expect(out.stdout).toMatch(/chat-completions\.ebd69de98e9d\.json +POST \/v1\/chat\/completions {2}gpt-4o-mini {2}streamed {2}\d+\.\d KB/);
  expect(out.stdout).toContain('fireworks-hello-world.json');
});

test("ls shows a test's answer variants under its folder, show names the variant, verify finds them good", ({}, testInfo) => {
  const dir = recordings(testInfo);
  const folder = path.join(dir, 'examples/chat.spec.ts/calls-a-tool');
  const [name] = fs.readdirSync(folder);
  for (const k of [1, 2]) {
    fs.mkdirSync(path.join(folder, `@variant-${k}`));
    fs.copyFileSync(path.join(folder, name), path.join(folder, `@variant-${k}`, name));
  }
  const out = cli('ls', '--dir', dir);
  expect(out.status, out.stderr).toBe(0);
  const lines = out.stdout.split('\n');
  const at = lines.indexOf('examples/chat.spec.ts/calls-a-tool/  answer variants 0, 1, 2');
  expect(at, out.stdout).toBeGreaterThan(-1);
  const file = new RegExp(`^ {4}${name.replace(/\./g, '\\.')} +POST /v1/chat/completions {2}gpt-4o-mini {2}streamed`);
  expect(lines.slice(at + 1, at + 7)).toEqual(['  variant 0 (the folder itself)', expect.stringMatching(file), '  variant 1 (@variant-1/)', expect.stringMatching(file), '  variant 2 (@variant-2/)', expect.stringMatching(file)]);
  // No variant folder listed as a folder of its own; a test without variants as it always was.
  expect(out.stdout).not.toMatch(/^\S*@variant-/m);
  expect(out.stdout).toMatch(/^examples\/chat\.spec\.ts\/streams-an-answer-token-by-token\/\n {2}chat-completions\.[0-9a-f]{12}\.json +POST/m);

  const show = cli('show', path.join(folder, '@variant-2', name));
  expect(show.status, show.stderr).toBe(0);
  expect(show.stdout.split('\n')[0]).toBe('test: examples/chat.spec.ts > calls a tool · variant 2 · status 200');
  expect(cli('show', path.join(folder, name)).stdout.split('\n')[0]).toBe('test: examples/chat.spec.ts > calls a tool · status 200');

  const verified = cli('verify', '--dir', dir);
  expect(verified.status, verified.stdout).toBe(0);
  expect(verified.stdout).toContain('all good');
});

test('show prints the same readable transcript as the report', () => {
  const file = fg('fixtures/llm/examples/chat.spec.ts/calls-a-tool');
  const out = cli('show', file);
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toContain('test: examples/chat.spec.ts > calls a tool');
  expect(out.stdout).toContain('asked:    What is the weather in Paris?');
  expect(out.stdout).toContain('tool:     get_weather({"location":"Paris"})');
  const bad = cli('show', 'nope.json');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('nope.json');
});

function fg(folder: string): string {
  const dir = fromRoot(folder);
  return path.join(folder, fs.readdirSync(dir).find((f) => f.endsWith('.json'))!);
}

test('verify names each bad file with its problem, exits 1, and --fix renames files edited by hand', ({}, testInfo) => {
  const dir = recordings(testInfo);
  expect(cli('verify', '--dir', dir).status).toBe(0);
  const folder = path.join(dir, 'demo/chat-app.spec.ts/the-answer-streams-in-and-renders');
  const [name] = fs.readdirSync(folder);
  const x = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));
  x.request.body.messages[0].content = 'What is the capital of Italy?';
  fs.writeFileSync(path.join(folder, name), JSON.stringify(x, null, 2));
  fs.writeFileSync(path.join(dir, 'broken.json'), '{"request": ');
  const bad = cli('verify', '--dir', dir);
  expect(bad.status).toBe(1);
  expect(bad.stdout).toContain(`broken.json: is not valid JSON (it ends too early)`);
  expect(bad.stdout).toMatch(new RegExp(`${name.replace(/\./g, '\\.')}: holds another request than its name says; its name would be chat-completions\\.[0-9a-f]{12}\\.json`));
  expect(bad.stdout).toContain('2 problems');
  fs.rmSync(path.join(dir, 'broken.json'));
  const fixed = cli('verify', '--dir', dir, '--fix');
  expect(fixed.status, fixed.stdout).toBe(0);
  expect(fixed.stdout).toContain(`renamed`);
  expect(fs.readdirSync(folder)).not.toContain(name);
  expect(cli('verify', '--dir', dir).status).toBe(0);
  const none = cli('verify', '--dir', testInfo.outputPath('nowhere'));
  expect(none.status).toBe(1);
  expect(none.stderr).toContain('is not a folder of recordings');
  // Listing a folder with nothing recorded yet is no error; the version is there to ask for.
  const empty = cli('ls', '--dir', testInfo.outputPath('nowhere'));
  expect([empty.status, empty.stdout]).toEqual([0, expect.stringContaining('no recordings under')]);
  expect(cli('--version').stdout.trim()).toBe(JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')).version);
});

test("import takes llama-stack's recordings, names the ones it cannot take, and writes nothing for an empty folder", ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  const out = cli('import', fromRoot('fixtures/compat/llama-stack'), '--dir', dir);
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toContain('16 of 18 recordings imported');
  expect(out.stdout).toMatch(/not imported: .*exception\.json: records a client exception/);
  expect(out.stdout).toMatch(/not imported: .*gemini-generate-content-stream\.json: is for vertexai:/);
  expect(fs.readdirSync(path.join(dir, 'imported'))).toHaveLength(16);
  expect(cli('verify', '--dir', dir).status).toBe(0);
  const seed = cli('show', path.join(dir, 'imported', fs.readdirSync(path.join(dir, 'imported')).find((f) => f.startsWith('chat-completions.7bfd'))!));
  expect(seed.stdout).toContain("answered: Hello! It's nice to meet you.");

  fs.mkdirSync(testInfo.outputPath('empty'));
  const empty = cli('import', testInfo.outputPath('empty'), '--dir', testInfo.outputPath('llm2'));
  expect(empty.status).toBe(1);
  expect(empty.stderr).toContain('no recordings (*.json) in');
  expect(fs.existsSync(testInfo.outputPath('llm2'))).toBe(false);
});

test('prune without a run summary says what to do, exits 1, removes nothing', ({}, testInfo) => {
  const out = cli('prune', '--yes', '--results', testInfo.outputPath('no-results'));
  expect(out.status).toBe(1);
  expect(out.stderr).toContain("Add the reporter to your config — reporter: [['list'], ['playwright-llm-replay/reporter']]");
});
