// What checking a recording and the options costs: the hand-written checks against zod's schemas,
// compiled (zod's default JIT) and with the per-parse `{ jitless: true }`. Each first check in a
// fresh process (what a cold start pays), the steady cost per check, and a big recording's 76,000
// events checked one by one (as a big file's events are read). Not a goal of issue 10, so not in
// `npm run bench`; `npm test` runs it tiny (BENCH_SMOKE=1). Needs a built dist/ (DIST=… for another).
//   node bench/zod-cost.mjs            (BENCH_ROUNDS=n fresh processes per contender, default 15)
// Its figures, and why the hand checks stay, are in bench/README.md ("zod or the hand checks").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { z as m } from 'zod/mini';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.env.DIST ?? path.join(here, '../dist');
const rec = await import(path.join(dist, 'core/recording.js'));
const opt = await import(path.join(dist, 'options.js'));

const options = { ...opt.DEFAULTS, llmDir: '/tmp/x', llmMode: 'replay', llmUrls: ['https://bench.test/**'], llmIgnore: ['metadata.user_id', { path: 'messages.*.content', match: /Today is \S+/ }], llmRedact: { headers: ['x-key'] } };
const lax = { jitless: true };
const ok = (r) => {
  if (r !== true && !r?.success) throw new Error('rejected');
};
const events = (f) => (f.response.is_streaming && Array.isArray(f.response.body) && typeof f.response.body[0] !== 'string' ? f.response.body : []);

// How each contender checks: options, a whole file, one event.
const ways = {
  hand: { options: (o) => ok(opt.looksValid(o)), file: (f) => (ok(rec.isRecordingFile(f)), events(f).forEach((e) => ok(rec.isEntry(e)))), event: (e) => ok(rec.isEntry(e)) },
  'zod jit': { options: (o) => ok(opt.Options.safeParse(o)), file: (f) => (ok(rec.FileSchema.safeParse(f)), events(f).forEach((e) => ok(rec.Entry.safeParse(e)))), event: (e) => ok(rec.Entry.safeParse(e)) },
  'zod jitless': {
    options: (o) => ok(opt.Options.safeParse(o, lax)),
    file: (f) => (ok(rec.FileSchema.safeParse(f, lax)), events(f).forEach((e) => ok(rec.Entry.safeParse(e, lax)))),
    event: (e) => ok(rec.Entry.safeParse(e, lax)),
  },
};
const Events = z.array(rec.Entry);
ways['zod jitless, z.array(Entry)'] = { ...ways['zod jitless'], file: (f) => (ok(rec.FileSchema.safeParse(f, lax)), ok(Events.safeParse(events(f), lax))) };
ways['zod jitless, Entry jit'] = { ...ways['zod jitless'], file: (f) => (ok(rec.FileSchema.safeParse(f, lax)), events(f).forEach((e) => ok(rec.Entry.safeParse(e)))), event: ways['zod jit'].event };
// `validate`: a yes or no, without building the parsed copy.
ways['zod jitless validate'] = {
  options: (o) => ok(opt.Options.validate(o, lax)),
  file: (f) => (ok(rec.FileSchema.validate(f, lax)), events(f).forEach((e) => ok(rec.Entry.validate(e, lax)))),
  event: (e) => ok(rec.Entry.validate(e, lax)),
};
// z.compile's ahead-of-time validator, compiled at first use.
const compiled = {};
const cv = (name, schema, x) => ok((compiled[name] ??= z.compile(schema)).validate(x));
ways['z.compile validate'] = {
  options: (o) => cv('o', opt.Options, o),
  file: (f) => (cv('f', rec.FileSchema, f), events(f).forEach((e) => cv('e', rec.Entry, e))),
  event: (e) => cv('e', rec.Entry, e),
};
// zod/mini (its objects never compile): the same rules in its API (error texts shortened).
const MiniPattern = m.union([m.string().check(m.minLength(1)), m.instanceof(RegExp)]);
const MiniOptions = m.object({
  llmDir: m.string({ error: 'llmDir must be a path (string)' }).check(m.minLength(1, 'llmDir must not be empty')),
  llmMode: m.string(),
  llmPace: m.custom((v) => v === 'clock' || (typeof v === 'number' && Number.isFinite(v) && v >= 0), { error: 'llmPace …' }),
  llmUrls: m.array(MiniPattern, { error: 'llmUrls …' }),
  llmIgnore: m.array(m.any(), { error: 'llmIgnore …' }).check(
    m.superRefine((list, ctx) =>
      list.forEach((v, i) => {
        const problem = opt.ignoreProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
      }),
    ),
  ),
  llmRedact: m.strictObject(
    { headers: m.optional(m.array(MiniPattern, { error: 'h' })), paths: m.optional(m.array(m.string().check(m.minLength(1)), { error: 'p' })), values: m.optional(m.array(m.instanceof(RegExp), { error: 'v' })) },
    { error: 'llmRedact …' },
  ),
});
const MiniEntry = m
  .object({ __type__: m.optional(m.string()), __data__: m.optional(m.unknown()), event: m.optional(m.string()), id: m.optional(m.string()), raw: m.optional(m.string()), t: m.optional(m.number().check(m.nonnegative())) })
  .check(m.refine((e) => e.__data__ !== undefined || e.raw !== undefined, { message: 'an event needs __data__ or raw' }));
const MiniFrame = m
  .object({ from: m.enum(['client', 'server']), t: m.number().check(m.nonnegative()), json: m.optional(m.unknown()), text: m.optional(m.string()), binary: m.optional(m.string()) })
  .check(m.refine((f) => [f.json, f.text, f.binary].filter((x) => x !== undefined).length === 1, { message: 'a frame holds one of json, text or binary' }));
const MiniFile = m.object({
  request: m.object({ method: m.optional(m.string()), url: m.string().check(m.minLength(1)), headers: m.nullish(m.record(m.string(), m.unknown())), body: m.optional(m.unknown()), payload: m.optional(m.unknown()), endpoint: m.optional(m.string()), model: m.nullish(m.string()), protocols: m.optional(m.array(m.string())) }),
  response: m.object({
    status: m.optional(m.int().check(m.gte(100), m.lte(599))),
    headers: m.optional(m.record(m.string(), m.string())),
    is_streaming: m.boolean(),
    framing: m.optional(m.enum(['sse', 'ndjson', 'json', 'text', 'binary', 'websocket'])),
    eol: m.optional(m.enum(['\n', '\r\n', '\r'])),
    body: m.unknown(),
    encoding: m.optional(m.enum(['base64', 'file'])),
    chunks: m.optional(m.array(m.object({ t: m.number().check(m.nonnegative()), size: m.int().check(m.positive()) }))),
    json: m.optional(m.object({ indent: m.int().check(m.gte(0), m.lte(8)), newline: m.boolean() })),
    terminator: m.nullish(m.object({ data: m.string(), t: m.number().check(m.nonnegative()) })),
    frames: m.optional(m.array(MiniFrame)),
    close: m.optional(m.object({ code: m.int().check(m.gte(1000), m.lte(4999)), reason: m.string(), by: m.enum(['client', 'server']), t: m.number().check(m.nonnegative()) })),
    is_exception: m.optional(m.boolean()),
    exception_message: m.optional(m.string()),
  }),
  occurrence: m.optional(m.int().check(m.nonnegative())),
  test: m.nullish(m.string()),
  test_id: m.nullish(m.string()),
});
ways['zod/mini'] = { options: (o) => ok(MiniOptions.safeParse(o)), file: (f) => (ok(MiniFile.safeParse(f)), events(f).forEach((e) => ok(MiniEntry.safeParse(e)))), event: (e) => ok(MiniEntry.safeParse(e)) };

const SMOKE = process.env.BENCH_SMOKE === '1';
const BIG = SMOKE ? 2_000 : 76_000;
const [, , role, way, what, file] = process.argv;
if (role === 'child') {
  const w = ways[way];
  const time = (fn) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  if (what === 'cold') {
    // As a replay's cold start: the options, then its first recording.
    const f = JSON.parse(fs.readFileSync(file, 'utf8'));
    const o = time(() => w.options({ ...options }));
    const r = time(() => w.file(f));
    console.log(JSON.stringify({ options: o, recording: r }));
  } else if (what === 'steady') {
    const f = JSON.parse(fs.readFileSync(file, 'utf8'));
    const per = (fn, n) => {
      for (let i = 0; i < Math.min(n, 200); i++) fn();
      return (time(() => {
        for (let i = 0; i < n; i++) fn();
      }) * 1000) / n;
    };
    console.log(JSON.stringify({ options: per(() => w.options({ ...options }), SMOKE ? 10 : 20_000), recording: per(() => w.file(f), SMOKE ? 2 : Math.max(50, 200_000 / (events(f).length + 10))) }));
  } else {
    // A big file's events, one by one, each parsed from its own line as FileEvents does.
    const f = JSON.parse(fs.readFileSync(file, 'utf8'));
    const lines = Array.from({ length: BIG }, (_, i) => JSON.stringify({ ...events(f)[1], t: i }));
    const parsed = lines.map((l) => JSON.parse(l));
    console.log(JSON.stringify({ events: time(() => parsed.forEach(w.event)) }));
  }
  process.exit(0);
}

// Parent: recordings to check, then each measure in fresh processes, contenders alternating.
const { writeRecordings, tempDir } = await import('./fixtures.mjs');
const rounds = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 15);
const root = tempDir('zod');
writeRecordings(root, { count: 1, events: 24, folder: 'small' });
writeRecordings(root, { count: 1, events: 1000, folder: 'thousand' });
const first = (folder) => path.join(root, folder, fs.readdirSync(path.join(root, folder))[0]);
const files = {
  'a 24-event recording': first('small'),
  'a 1,000-event recording': first('thousand'),
  'llama-stack chat-stream-toolcalls.json': path.join(here, '../fixtures/compat/llama-stack/chat-stream-toolcalls.json'),
};
const run = (way, what, file) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', way, what, file], { encoding: 'utf8', env: { ...process.env, DIST: dist } }));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const names = Object.keys(ways);
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Prints each contender's median and spread of each figure; returns the medians. */
function measure(title, what, file, unit) {
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of r % 2 ? [...names].reverse() : names) samples[n].push(run(n, what, file));
  console.log(`# ${title} (${rounds} fresh processes each; median, spread)`);
  for (const n of names) {
    const keys = Object.keys(samples[n][0]);
    const cols = keys.map((k) => {
      const xs = samples[n].map((s) => s[k]);
      return `${k} ${fmt(median(xs))} ${unit} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
    });
    console.log(`${n.padEnd(30)} ${cols.join('   ')}`);
  }
  return Object.fromEntries(names.map((n) => [n, Object.fromEntries(Object.keys(samples[n][0]).map((k) => [k, median(samples[n].map((s) => s[k]))]))]));
}

const cold = {};
for (const [name, file] of Object.entries(files)) cold[name] = measure(`first check in a process: options, then ${name}`, 'cold', file, 'ms');
for (const [name, file] of Object.entries(files)) measure(`steady state per check: options, ${name}`, 'steady', file, 'µs');
measure(`${BIG.toLocaleString('en')} events checked one by one in a fresh process (a big recording)`, 'big', files['a 24-event recording'], 'ms');
fs.rmSync(root, { recursive: true, force: true });
const total = (c) => c.options + c.recording;
const small = cold['a 24-event recording'];
console.log(`at a cold start (options, then a 24-event recording): hand ${total(small.hand).toFixed(2)} ms, zod jitless ${total(small['zod jitless']).toFixed(2)} ms, zod jit ${total(small['zod jit']).toFixed(2)} ms`);
console.log(`ratio zod jitless / hand checks at a cold start: ${(total(small['zod jitless']) / total(small.hand)).toFixed(2)}× (goal for dropping them: zod within ~1 ms of the hand checks)`);
