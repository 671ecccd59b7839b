#!/usr/bin/env node
// `npx playwright-llm-replay <command>`: look after recordings without reading JSON by hand.
// Exit codes: 0 done, 1 a problem found (bad recordings, nothing to do), 2 a wrong command line.
// commander gives each command its own --help and options; node:util's parseArgs has no commands.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { type Interaction, parseRecording } from './core/recording.js';
import { openBigRecording, BIG_RECORDING_BYTES } from './core/big-recording.js';
import { formatBytes, recordingTranscript } from './core/transcript.js';
import { keyHash, requestKey } from './core/key.js';
import { Redactor } from './core/redact.js';
import { recordingName } from './core/store.js';
import { SIDE_NAME, namedIn, referencedIn, removeUnreferenced, sideFilePath, sideFilesIn } from './core/side-file.js';
import { Recordings } from './core/recordings/recordings.js';
import { inside as within, realpathOr, testFolderPath } from './core/confine.js';
import { CommandError, PREFIX, RecordingFileError, detailOf } from './core/errors.js';
import { LAST_RUN_FILE, type LastRun } from './reporter.js';
import { startProxy } from './proxy.js';
import { MODES, checkMode } from './core/mode.js';
import { driftOf, keyOf, liveAnswer, liveRequest, unreachable } from './core/drift.js';
import { LIVE_PROVIDERS } from './wire/providers.js';
import { ageOf, formatAge, parseAge } from './core/age.js';
import { VARIANT_PREFIX, variantOfPath } from './core/variants.js';

const OWN_NAME = /^[a-z0-9-]+\.[0-9a-f]{12}(?:\.\d+)?\.json$/;

const problemOf = (err: unknown) => (err instanceof RecordingFileError ? err.problem : detailOf(err));

const rel = (f: string) => path.relative(process.cwd(), f) || f;

function read(file: string): Interaction {
  const size = fs.statSync(file).size;
  return (size > BIG_RECORDING_BYTES && openBigRecording(file, size)) || parseRecording(fs.readFileSync(file, 'utf8'), file);
}

function recordingsUnder(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CommandError(`${dir} is not a folder of recordings. Pass one with --dir (default fixtures/llm).`);
  return fg.sync('**/*.json', { cwd: dir, absolute: true, onlyFiles: true, followSymbolicLinks: false }).sort();
}

/** The side files under `dir`, by folder. */
function sideFilesUnder(dir: string): Map<string, string[]> {
  const byFolder = new Map<string, string[]>();
  for (const file of fg.sync('**/*.*', { cwd: dir, absolute: true, onlyFiles: true, followSymbolicLinks: false }).sort()) {
    if (!SIDE_NAME.test(path.basename(file))) continue;
    const folder = path.dirname(file);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), path.basename(file)]);
  }
  return byFolder;
}

function ls(options: { dir: string }): void {
  const root = path.resolve(options.dir);
  // Nothing recorded yet is not an error: there is just nothing to list.
  const files = fs.existsSync(root) ? recordingsUnder(root) : [];
  if (!files.length) return void console.log(`no recordings under ${rel(root)} yet: a test run records them (npx playwright test).`);
  // Per test folder, its answer variants: variant 0 is the folder itself, variant k its @variant-k.
  const tests = new Map<string, Map<number, string[]>>();
  for (const file of files) {
    const dir = path.relative(root, path.dirname(file)).split(path.sep).join('/') || '.';
    const last = path.posix.basename(dir);
    const variant = last.startsWith(VARIANT_PREFIX) ? variantOfPath(`${last}/x`) : 0;
    const folder = variant ? path.posix.dirname(dir) : dir;
    const variants = tests.get(folder) ?? tests.set(folder, new Map()).get(folder)!;
    variants.set(variant, [...(variants.get(variant) ?? []), file]);
  }
  let first = true;
  for (const [folder, variants] of tests) {
    const ks = [...variants.keys()].sort((a, b) => a - b);
    const several = ks.length > 1 || ks[0] !== 0;
    console.log(`${first ? '' : '\n'}${folder}/${several ? `  answer variants ${ks.join(', ')}` : ''}`);
    first = false;
    for (const k of ks) {
      if (several) console.log(`  variant ${k}${k ? ` (${VARIANT_PREFIX}${k}/)` : ' (the folder itself)'}`);
      for (const file of variants.get(k)!) lsLine(file, several ? '    ' : '  ');
    }
  }
}

/** A recording in `ls`: name, endpoint, model, streamed or not, size, when recorded; its side file under it. */
function lsLine(file: string, indent: string): void {
  const width = 42 - indent.length;
  const stat = fs.statSync(file);
  let when = `written ${minute(stat.mtime.toISOString())} (age unknown: no recorded_at)`;
  let what: string;
  let side = '';
  try {
    const x = read(file);
    if (x.recordedAt) when = `recorded ${minute(new Date(x.recordedAt).toISOString())} (${formatAge(ageOf(x.recordedAt, Date.now()))} ago)`;
    what = [`${x.request.method} ${x.request.endpoint}`, x.request.model ?? '-', x.response.events ? 'streamed' : x.response.framing].join('  ');
    if (x.response.sideFile) side = `${indent}${''.padEnd(width)} + side file ${x.response.sideFile}  ${formatBytes(fs.statSync(sideFilePath(file, x.response.sideFile)).size)}`;
  } catch (err) {
    what = `unreadable: ${problemOf(err).split('\n')[0]}`;
  }
  console.log(`${indent}${path.basename(file).padEnd(width)} ${what}  ${formatBytes(stat.size)}  ${when}`);
  if (side) console.log(side);
}

/** An ISO time to the minute, as a list shows it: `2026-12-02 11:15`. */
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** Recordings older than `olderThan` (ms), and those of unknown age, as verify --older-than tells them. */
class Ages {
  readonly old: string[] = [];
  readonly unknown: string[] = [];
  private readonly now = Date.now();

  constructor(
    private readonly olderThan: number,
    private readonly given: string,
  ) {}

  check(file: string, x: Interaction): void {
    if (!x.recordedAt) return void this.unknown.push(rel(file));
    const age = ageOf(x.recordedAt, this.now);
    if (age > this.olderThan) this.old.push(`${rel(file)}: recorded ${x.recordedAt}, ${formatAge(age)} ago (older than ${this.given}); record it again: LLM_REPLAY_MODE=record npx playwright test`);
  }

  /** The files of unknown age, apart (they do not fail verify: nothing says they are old). */
  print(): void {
    if (!this.unknown.length) return;
    console.log(`${this.unknown.length} recording${this.unknown.length === 1 ? '' : 's'} of unknown age (no recorded_at; recorded before it was kept, or imported), not counted as old:`);
    for (const f of this.unknown) console.log(`  ${f}`);
  }
}

function show(file: string): void {
  console.log(recordingTranscript(read(path.resolve(file)), path.resolve(file)));
}

function verify(options: { dir: string; fix?: boolean; ignore?: string[]; olderThan?: { ms: number; given: string } }): void {
  const root = path.resolve(options.dir);
  const files = recordingsUnder(root);
  if (!files.length) throw new CommandError(`no recordings under ${rel(root)}.`);
  const ages = options.olderThan && new Ages(options.olderThan.ms, options.olderThan.given);
  const rules = { ignore: options.ignore ?? [], redactor: new Redactor() };
  const problems: string[] = [];
  let renamed = 0;
  for (const file of files) {
    let x: Interaction;
    try {
      x = read(file);
    } catch (err) {
      problems.push(`${rel(file)}: ${problemOf(err)}`);
      continue;
    }
    ages?.check(file, x);
    if (!OWN_NAME.test(path.basename(file))) continue; // not named by this plugin (llama-stack's): found by its content
    const expected = recordingName(x.request.endpoint, keyHash(requestKey(x.request, rules)), x.occurrence);
    if (path.basename(file) === expected) continue;
    const target = path.join(path.dirname(file), expected);
    if (options.fix && !fs.existsSync(target)) {
      fs.renameSync(file, target);
      console.log(`renamed ${rel(file)} → ${expected}`);
      renamed++;
    } else {
      problems.push(`${rel(file)}: holds another request than its name says; its name would be ${expected}${options.fix ? ` (not renamed: ${expected} exists)` : ' (verify --fix renames it)'}`);
    }
  }
  // Side files no recording points at (left behind when a recording was removed or changed by hand).
  let sides = 0;
  let removed = 0;
  for (const [folder, names] of sideFilesUnder(root)) {
    sides += names.length;
    const pointedAt = referencedIn(folder, names);
    const orphans = names.filter((n) => !pointedAt.has(n));
    if (options.fix) {
      for (const f of removeUnreferenced(folder, orphans)) console.log(`removed ${rel(f)} (a side file no recording points at)`);
      removed += orphans.length;
    } else for (const n of orphans) problems.push(`${rel(path.join(folder, n))}: a side file no recording points at (verify --fix removes it)`);
  }
  ages?.print();
  if (ages) problems.push(...ages.old);
  for (const p of problems) console.log(p);
  const checked = `${files.length} recording${files.length === 1 ? '' : 's'}${sides ? ` and ${sides} side file${sides === 1 ? '' : 's'}` : ''}`;
  const fixed = [renamed && `${renamed} renamed`, removed && `${removed} side file${removed === 1 ? '' : 's'} removed`].filter(Boolean).join(', ');
  console.log(`${checked} checked: ${problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}${ages?.old.length ? ` (${ages.old.length} older than ${options.olderThan!.given})` : ''}` : 'all good'}${fixed ? `, ${fixed}` : ''}.${options.ignore?.length ? '' : ' (If your config sets llmIgnore, pass its paths with --ignore: they change what a name says.)'}`);
  if (problems.length) process.exitCode = 1;
}

interface LiveOptions {
  dir: string;
  sample?: number;
  baseUrl?: Map<string, string>;
  force?: boolean;
  timeout: number;
}

/** `verify --live`: re-send recorded requests to the live API and compare the shape of each answer. Writes nothing. */
async function verifyLive(options: LiveOptions): Promise<void> {
  const ci = process.env.CI;
  if (ci && ci !== 'false' && ci !== '0' && !options.force) throw new CommandError(`CI is set (CI=${ci}): verify --live calls the paid live API with your keys, so it does not run in CI. Run it on your machine, or pass --force.`);
  const root = path.resolve(options.dir);
  const files = recordingsUnder(root);
  if (!files.length) throw new CommandError(`no recordings under ${rel(root)}.`);
  if (!LIVE_PROVIDERS.some((p) => keyOf(p, process.env))) {
    throw new CommandError(`no API key set: verify --live sends recorded requests to the live API with your keys. Set ${LIVE_PROVIDERS.map((p) => p.env.join(' or ')).join(', ')} for the providers you recorded.`);
  }
  // A sample: that many recordings, picked at random.
  const picked = options.sample && options.sample < files.length ? files.map((f) => ({ f, r: Math.random() })).sort((a, b) => a.r - b.r).slice(0, options.sample).map((p) => p.f).sort() : files;
  const bases = options.baseUrl ?? new Map<string, string>();
  const dead = new Map<string, string>();
  const count = { same: 0, drifted: 0, failed: 0, skipped: 0 };
  console.log(`verify --live: re-sending ${picked.length} of ${files.length} recording${files.length === 1 ? '' : 's'} to the live API${bases.size ? ` (${[...bases].map(([p, u]) => `${p} at ${u}`).join(', ')})` : ''}; nothing is written.`);
  for (const file of picked) {
    let x: Interaction;
    try {
      x = read(file);
    } catch (err) {
      console.log(`skipped    ${rel(file)}: unreadable (${problemOf(err).split('\n')[0]})`);
      count.skipped++;
      continue;
    }
    const r = liveRequest(x, bases, process.env);
    if ('skip' in r) {
      console.log(`skipped    ${rel(file)}: ${r.skip}`);
      count.skipped++;
      continue;
    }
    const origin = new URL(r.url).origin;
    const what = `${rel(file)}  ${x.request.method} ${new URL(r.url).pathname}`;
    if (dead.has(origin)) {
      console.log(`not sent   ${what}: ${origin} was unreachable`);
      count.failed++;
      continue;
    }
    let drift: string[];
    try {
      drift = driftOf(x, await liveAnswer(r, options.timeout * 1000));
    } catch (err) {
      dead.set(origin, unreachable(err));
      console.log(`unreachable ${what}: could not reach ${origin}: ${unreachable(err)}. Check your network, or the --base-url.`);
      count.failed++;
      continue;
    }
    if (!drift.length) {
      console.log(`same       ${what}`);
      count.same++;
      continue;
    }
    console.log(`drift      ${what}`);
    for (const line of drift) console.log(`             ${line}`);
    count.drifted++;
  }
  const sent = count.same + count.drifted;
  console.log(
    `${sent} answer${sent === 1 ? '' : 's'} compared: ${count.drifted ? `${count.drifted} drifted from the recording (re-record ${count.drifted === 1 ? 'it' : 'them'}: LLM_REPLAY_MODE=record)` : 'no drift'}${count.failed ? `; ${count.failed} not answered` : ''}${count.skipped ? `; ${count.skipped} skipped` : ''}. No file was changed.`,
  );
  if (count.drifted || count.failed) process.exitCode = 1;
  else if (!sent) throw new CommandError('no recording could be re-sent (see the lines above): nothing was compared.');
}

/** `--base-url openai=http://127.0.0.1:8080`: where a provider's requests go instead of its own API. */
function baseUrlOption(v: string, previous: Map<string, string> = new Map()): Map<string, string> {
  const m = /^([a-z]+)=(.+)$/.exec(v);
  const names = LIVE_PROVIDERS.map((p) => p.name) as string[];
  if (!m || !names.includes(m[1])) throw new InvalidArgumentError(`--base-url takes <provider>=<url>, the provider one of ${names.join(', ')} (got "${v}").`);
  let web = false;
  try {
    web = ['http:', 'https:'].includes(new URL(m[2]).protocol);
  } catch {
    // not a URL at all
  }
  if (!web) throw new InvalidArgumentError(`--base-url ${m[1]}=: "${m[2]}" is not an http(s) URL.`);
  return new Map([...previous, [m[1], m[2]]]);
}

function prune(options: { results: string; yes?: boolean }): void {
  const file = path.resolve(options.results, LAST_RUN_FILE);
  let run: LastRun;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as LastRun;
  } catch {
    throw new CommandError(`no run summary at ${rel(file)}. Add the reporter to your config — reporter: [['list'], ['playwright-llm-replay/reporter']] — run the whole suite, then prune.`);
  }
  if (!run || !Array.isArray(run.roots) || !run.roots.every((r) => typeof r === 'string') || !Array.isArray(run.unused)) throw new CommandError(`the run summary ${rel(file)} is damaged (no list of roots and unused recordings). Run the whole suite again (the reporter writes a new summary), then prune.`);
  if (run.incomplete?.length) throw new CommandError(`the last run (${run.at}) was not complete (${run.incomplete.join('; ')}): it cannot say which recordings are unused. Run the whole suite, then prune.`);
  const ran = Date.parse(run.at);
  // The summary is a file anyone can edit: every path it lists must be a recording inside a root,
  // through real paths (a symlinked folder on the way may lead elsewhere), or nothing is removed.
  const roots = run.roots.filter((r) => path.isAbsolute(r)).map((r) => ({ root: r, real: realpathOr(r) }));
  const where = (f: unknown): string | undefined => {
    if (typeof f !== 'string' || !path.isAbsolute(f) || !f.endsWith('.json')) return undefined;
    const real = path.join(realpathOr(path.dirname(f)), path.basename(f));
    return roots.some((r) => within(r.root, f) && within(r.real, real)) ? real : undefined;
  };
  const strays = run.unused.filter((f) => !where(f));
  if (strays.length) {
    throw new CommandError(
      `the run summary ${rel(file)} lists ${strays.slice(0, 3).join(', ')}${strays.length > 3 ? ` (and ${strays.length - 3} more)` : ''}, which ${strays.length === 1 ? 'is' : 'are'} not inside the recordings folders of the run (${run.roots.join(', ')}): the summary was edited or is damaged. Nothing removed. Run the whole suite again (the reporter writes a new summary), then prune.`,
    );
  }
  const candidates = run.unused.filter((f) => fs.existsSync(f));
  const changed = candidates.filter((f) => fs.statSync(f).mtimeMs > ran);
  const gone = candidates.filter((f) => !changed.includes(f));
  if (!gone.length) {
    console.log(`nothing to prune: the last complete run (${run.at}) used every recording${changed.length ? `, or they changed since (${changed.length})` : ''}.`);
    return;
  }
  // Their side files go with them, but for one another recording (that stays) points at too.
  const reals = new Set(gone.map((f) => where(f)!));
  const sides = new Map<string, string[]>();
  for (const real of reals) {
    const folder = path.dirname(real);
    const names = namedIn(real, sideFilesIn(folder));
    const shared = referencedIn(folder, names, reals);
    sides.set(real, names.filter((n) => !shared.has(n)));
  }
  for (const f of gone) {
    console.log(`${options.yes ? 'removed' : 'unused'}  ${rel(f)}`);
    for (const n of sides.get(where(f)!) ?? []) console.log(`${options.yes ? 'removed' : 'unused'}    + its side file ${n}`);
  }
  for (const f of changed) console.log(`kept     ${rel(f)} (changed after the run)`);
  if (!options.yes) {
    console.log(`${gone.length} unused recording${gone.length === 1 ? '' : 's'} (from the run of ${run.at}). Nothing removed: run with --yes to remove them.`);
    return;
  }
  for (const real of reals) fs.rmSync(real, { force: true });
  for (const [real, names] of sides) removeUnreferenced(path.dirname(real), names);
  for (const real of reals) {
    // Folders left empty go too, up to the root.
    const root = roots.find((r) => within(r.real, real))!.real;
    for (let dir = path.dirname(real); dir !== root && within(root, dir); dir = path.dirname(dir)) {
      if (!fs.existsSync(dir) || fs.readdirSync(dir).length) break;
      fs.rmdirSync(dir);
    }
  }
  console.log(`${gone.length} unused recording${gone.length === 1 ? '' : 's'} removed.`);
}

function importRecordings(from: string, options: { dir: string }): void {
  const source = path.resolve(from);
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) throw new CommandError(`${from} is not a folder. Give the folder of llama-stack / ogx recordings to import.`);
  const files = fg.sync('**/*.json', { cwd: source, absolute: true, onlyFiles: true }).sort();
  if (!files.length) throw new CommandError(`no recordings (*.json) in ${rel(source)}: nothing imported.`);
  const root = path.resolve(options.dir);
  const recordings = new Recordings({ root, urls: [], ignore: [], redact: {} });
  const folder = testFolderPath(recordings.store.root, 'imported');
  let taken = 0;
  const refused: string[] = [];
  for (const file of files) {
    let x: Interaction;
    try {
      x = read(file);
    } catch (err) {
      refused.push(`${rel(file)}: ${problemOf(err)}`);
      continue;
    }
    // The request as this plugin stores it: credentials replaced, the key from its content.
    const request = recordings.describe({ method: x.request.method, url: x.request.url, headers: Object.entries(x.request.headers), body: Buffer.from(x.request.body === undefined ? '' : typeof x.request.body === 'string' ? x.request.body : JSON.stringify(x.request.body)) });
    const saved = recordings.save(folder, { request: recordings.withHeaders(request, { method: x.request.method, url: x.request.url, headers: Object.entries(x.request.headers), body: Buffer.alloc(0) }), response: x.response, occurrence: x.occurrence, test: 'imported', recordedAt: x.recordedAt }, 'imported');
    console.log(`imported ${rel(file)} → ${rel(saved)}`);
    taken++;
  }
  for (const r of refused) console.log(`not imported: ${r}`);
  console.log(`${taken} of ${files.length} recording${files.length === 1 ? '' : 's'} imported into ${rel(path.join(root, 'imported'))}.`);
  if (!taken) process.exitCode = 1;
}

const int = (what: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  return n;
};

function program(): Command {
  const cli = new Command('playwright-llm-replay')
    .description('Look after the recordings of playwright-llm-replay, and run its proxy for backends in other languages.')
    .version((JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const dir = ['--dir <llmDir>', 'the recordings folder', 'fixtures/llm'] as const;
  cli.command('ls').description('list the recordings per test folder, its answer variants (@variant-k) under it: endpoint, model, streamed or not, size, when recorded and how long ago').option(...dir).action(ls);
  cli.command('show').description('print a recording as a readable transcript: question, answer, tool calls, chunks').argument('<file>', 'a recording').action(show);
  cli
    .command('verify')
    .description("check every recording under llmDir: that it parses, and that its name matches the request it holds (exit 1 on any problem)")
    .option(...dir)
    .option('--fix', 'rename files whose content no longer matches their name')
    .option('--ignore <path...>', 'the body paths your llmIgnore leaves out of the key')
    .option('--older-than <age>', 'also name each recording recorded longer ago than <age> (12h, 90d, 2w) as a problem; files without recorded_at are listed apart', (v) => {
      try {
        return { ms: parseAge(v, '--older-than'), given: v.trim() };
      } catch (err) {
        throw new InvalidArgumentError(detailOf(err));
      }
    })
    .option('--live', "re-send recorded requests to the live API with your keys (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY) and report answers whose shape changed: fields, types, status, framing, stream events (exit 1 on drift); writes nothing")
    .option('--sample <n>', 'with --live: re-send only n recordings, picked at random', int('--sample', 1, 1_000_000))
    .option('--base-url <provider=url>', 'with --live: send a provider\'s requests there instead of its API (openai, anthropic, gemini); repeatable', baseUrlOption)
    .option('--timeout <seconds>', 'with --live: how long to wait for each answer', int('--timeout', 1, 3600), 120)
    .option('--force', 'with --live: run even when CI is set')
    .action((o: LiveOptions & { live?: boolean; fix?: boolean; ignore?: string[]; olderThan?: { ms: number; given: string } }) => {
      if (o.live && o.olderThan) throw new CommandError('verify --live sends requests and compares answers: run verify --older-than on its own.');
      if (!o.live && (o.sample || o.baseUrl || o.force)) throw new CommandError('--sample, --base-url and --force go with --live (verify --live --sample 5).');
      if (o.live && o.fix) throw new CommandError('verify --live writes nothing: run verify --fix on its own.');
      return o.live ? verifyLive(o) : verify(o);
    });
  cli
    .command('prune')
    .description('remove the recordings the last complete run (with the reporter) did not use; lists them unless --yes')
    .option('--yes', 'remove them')
    .option('--results <dir>', "Playwright's output folder, where the reporter left its verdict", 'test-results')
    .action(prune);
  cli.command('import').description('take a folder of llama-stack / ogx recordings into llmDir (under imported/), naming each file it cannot take and why').argument('<from>', 'the folder of recordings').option(...dir).action(importRecordings);
  cli
    .command('proxy')
    .description('a local HTTP server that records and replays the LLM calls sent to it: point a backend in any language at it')
    .requiredOption('--upstream <url>', 'where calls go when recording, e.g. https://api.openai.com')
    .option('--port <port>', 'port to listen on (0 picks a free one)', int('--port', 0, 65535), 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--dir <llmDir>', 'the recordings folder (default: LLM_REPLAY_DIR, else fixtures/llm)')
    .option('--mode <mode>', `${MODES.join(' | ')} (LLM_REPLAY_MODE overrides it)`, (v) => {
      try {
        return checkMode(v, '--mode');
      } catch (err) {
        throw new InvalidArgumentError(detailOf(err));
      }
    })
    .option('--pace <n>', '0: no delays, 1: the recorded timing, 2: twice as fast…', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--pace must be 0 or a positive number.');
      return n;
    }, 0)
    .addHelpText('after', `\nRequests carrying a test's x-llm-replay-test header (forwarded by the backend) are recorded into that\ntest's folder when the proxy has the run's LLM_REPLAY_SECRET (start it as a webServer entry with\nenv: llmServerEnv()). Example: OPENAI_BASE_URL=http://127.0.0.1:8787/v1 with --upstream https://api.openai.com`)
    .action(async (o: { upstream: string; port: number; host: string; dir?: string; mode?: never; pace: number }) => {
      const proxy = await startProxy({ port: o.port, host: o.host, upstream: o.upstream, llmDir: o.dir, llmMode: o.mode, llmPace: o.pace });
      console.log(`playwright-llm-replay proxy listening on ${proxy.url} → ${o.upstream}`);
      const stop = () => void proxy.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => {});
    });
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // Help asked for is not a failure; a wrong command line is.
      process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2);
    }
    console.error(PREFIX + detailOf(err));
    process.exit(err instanceof CommandError ? 1 : 2);
  });
