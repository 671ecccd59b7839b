// `npx playwright-llm-replay`, through its bin: help everywhere, exit codes a script can use, and
// what each command does to a folder of recordings. (prune after a real run: tests/fixture/report.spec.ts.)
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
