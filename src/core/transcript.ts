// A test's LLM calls as a person reads them: per call, what happened (replayed, recorded…), where
// it was made, the endpoint and model, the last thing asked and what came back, how many chunks
// over how long, and the recording's file (and its side file). The HTML report's attachment and
// `show` print this.
import path from 'node:path';
import { type Summary, summarize } from '../wire/summary.js';
import type { Interaction } from './recording.js';
import type { LlmCall } from './call.js';
import { sideFilePath } from './side-file.js';
import { variantOfPath } from './variants.js';
import type { Conversation } from './socket/conversation.js';
import { summarizeFrames } from '../wire/realtime.js';
import { type Usage, usageOfFrames } from '../wire/usage.js';

/** A call as the report keeps it: what `llm.calls` says, plus what its recording holds. */
export interface ReportedCall extends LlmCall {
  endpoint?: string;
  question?: string;
  answer?: string;
  toolCalls?: { name: string; arguments: string }[];
  chunks?: number;
  durationMs?: number;
  /** A binary body: its size in bytes and content type. */
  bytes?: { size: number; type: string };
  /** The side file the body is kept in, beside the recording (absolute when the recording's path is). */
  sideFile?: string;
  /** A WebSocket: frames each way, and how it closed. */
  socket?: { client: number; server: number; closed?: string };
  /** The tokens the recorded answer says the call carried; none when it says nothing. */
  usage?: Usage;
  /** When the recording was recorded (its recorded_at); absent for a file of unknown age. */
  recordedAt?: string;
}

/** A count as a person reads it: 1,500. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A call's tokens: `1,000 in (200 cached) + 500 out (100 reasoning)`. */
export function formatUsage(u: Usage): string {
  const inParts = [u.cached ? `${formatCount(u.cached)} cached` : '', u.cacheWrite ? `${formatCount(u.cacheWrite)} written to cache` : ''].filter(Boolean);
  return `${formatCount(u.input)} in${inParts.length ? ` (${inParts.join(', ')})` : ''} + ${formatCount(u.output)} out${u.reasoning ? ` (${formatCount(u.reasoning)} reasoning)` : ''}`;
}

/** A size as a person reads it. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A call with what its recording says: the question, the answer, its chunks and duration. */
export function describeCall(call: LlmCall | undefined, x: Interaction | undefined, file = call?.file): ReportedCall {
  const base: ReportedCall = call ? { ...call } : { id: '', method: x?.request.method ?? '', url: x?.request.url ?? '', model: x?.request.model, outcome: 'replayed', where: 'worker' };
  if (!x) return base;
  if (x.recordedAt) base.recordedAt = x.recordedAt;
  const rs = x.response;
  if (rs.socket) return describeSocket(base, x, rs.socket);
  // A big recording's events are read from disk: its summary stops at the first thousand.
  const events = rs.events ?? [];
  const payloads = rs.events ? events : [{ data: rs.body }];
  const summary: Summary = summarize(x.request.body, payloads, Array.isArray(events) ? Infinity : 1000);
  base.endpoint = x.request.endpoint;
  base.model ??= x.request.model;
  if (summary.question !== undefined) base.question = summary.question;
  const answer = summary.text ?? summary.other;
  if (answer !== undefined) base.answer = answer;
  if (summary.toolCalls.length) base.toolCalls = summary.toolCalls;
  if (summary.usage) base.usage = summary.usage;
  base.chunks = rs.events ? rs.events.length + (rs.terminator ? 1 : 0) : rs.body === undefined || rs.body === '' ? 0 : (rs.chunks?.length ?? 1);
  const last = rs.terminator?.t ?? (rs.events && rs.events.length ? rs.events.at(-1)!.t : (rs.chunks?.at(-1)?.t ?? 0));
  base.durationMs = Math.round(last);
  if (Buffer.isBuffer(rs.body)) base.bytes = { size: rs.body.length, type: (rs.headers['content-type'] ?? '').split(';')[0] || 'binary' };
  if (rs.sideFile && file) base.sideFile = sideFilePath(file, rs.sideFile);
  return base;
}

function describeSocket(base: ReportedCall, x: Interaction, socket: Conversation): ReportedCall {
  const { question, answer } = summarizeFrames(socket.frames);
  const client = socket.frames.filter((f) => f.from === 'client').length;
  const close = socket.close;
  const usage = usageOfFrames(socket.frames);
  return {
    ...base,
    endpoint: x.request.endpoint,
    model: base.model ?? x.request.model,
    ...(question !== undefined && { question }),
    ...(answer !== undefined && { answer }),
    ...(usage && { usage }),
    socket: { client, server: socket.frames.length - client, ...(close && { closed: `by the ${close.by}, ${close.code}${close.reason ? ` ${close.reason}` : ''}` }) },
    durationMs: Math.round(close?.t ?? socket.frames.at(-1)?.t ?? 0),
  };
}

const cut = (s: string, n: number) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

const WHERE = { page: 'page', worker: 'worker', server: 'app server', proxy: 'proxy' } as const;

/** The readable transcript of calls. Files are shown relative to `base` (the current folder by default). */
export function transcript(calls: readonly ReportedCall[], base = process.cwd()): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.outcome, (counts.get(c.outcome) ?? 0) + 1);
  const lines = [`${calls.length} LLM call${calls.length === 1 ? '' : 's'}: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}`, ''];
  calls.forEach((c, i) => lines.push(...callLines(c, `${i + 1}. ${c.outcome} · ${WHERE[c.where] ?? c.where} · `, base), ''));
  return lines.join('\n');
}

/** A recording on its own, as `show` prints it. */
export function recordingTranscript(x: Interaction, file: string, base = process.cwd()): string {
  const c = describeCall(undefined, x, file);
  c.file = file;
  // A recording in a test's @variant-k folder is one of its answer variants (variants.ts).
  const variant = variantOfPath(file);
  const head = `${x.test ? `test: ${x.test}` : 'test: (none)'}${variant ? ` · variant ${variant}` : ''}${x.occurrence ? ` · occurrence ${x.occurrence + 1}` : ''} · status ${x.response.status}${x.recordedAt ? ` · recorded ${x.recordedAt}` : ''}`;
  return [head, ...callLines(c, '', base)].join('\n');
}

/** The endpoint's path: the recording's, else the URL's. */
function endpointOf(c: ReportedCall): string {
  if (c.endpoint) return c.endpoint;
  try {
    return new URL(c.url).pathname;
  } catch {
    return c.url;
  }
}

const VERBS: Record<LlmCall['outcome'], string> = {
  pending: 'recording',
  replayed: 'replayed',
  recorded: 'recorded',
  passthrough: 'passed through',
  missed: 'missed',
  'not-recorded': 'not recorded',
  faulted: 'faulted',
};

/**
 * A call in one line, as its step in the report and trace is titled:
 * `LLM replayed · page · POST /v1/chat/completions · gpt-4o-mini · 25 chunks · fixtures/llm/…/chat-completions.1f0c….json`.
 * `passthrough`: the run passes calls through (a pending call is being passed on, not recorded);
 * files are shown under `root` (llmDir), relative to `base`.
 */
export function stepTitle(c: ReportedCall, options: { passthrough?: boolean; root?: string; base?: string } = {}): string {
  const verb = c.outcome === 'pending' && options.passthrough ? 'passing through' : VERBS[c.outcome] ?? c.outcome;
  const parts = [`LLM ${verb}`, WHERE[c.where] ?? c.where, `${c.method} ${endpointOf(c)}`];
  if (c.model) parts.push(c.model);
  if (c.socket) parts.push(`${c.socket.client + c.socket.server} frames`);
  else if (c.bytes) parts.push(formatBytes(c.bytes.size));
  else if (c.chunks !== undefined) parts.push(`${c.chunks} chunk${c.chunks === 1 ? '' : 's'}`);
  if (c.fault) parts.push(`fault: ${cut(c.fault, 120)}`);
  if (c.variant !== undefined) parts.push(`variant ${c.variant}`);
  if (c.file) parts.push(shortFile(c.file, options.root, options.base ?? process.cwd()));
  return parts.join(' · ');
}

/** `fixtures/llm/…/chat-completions.1f0c….json`: the recordings folder, and the file's name with its hash cut. */
function shortFile(file: string, root: string | undefined, base: string): string {
  const name = path.basename(file).replace(/\.([0-9a-f]{4})[0-9a-f]{8,}((?:\.\d+)?\.json)$/, '.$1…$2');
  const rel = (p: string) => path.relative(base, p).split(path.sep).join('/') || '.';
  if (root && !path.relative(root, file).startsWith('..')) return path.dirname(file) === root ? `${rel(root)}/${name}` : `${rel(root)}/…/${name}`;
  return `${rel(path.dirname(file))}/${name}`;
}

function callLines(c: ReportedCall, prefix: string, base: string): string[] {
  const lines: string[] = [];
  {
    const endpoint = endpointOf(c);
    lines.push(`${prefix}${c.method} ${endpoint}${c.model ? ` · ${c.model}` : ''}${c.variant !== undefined ? ` · variant ${c.variant}` : ''}`);
    if (c.question !== undefined) lines.push(`   asked:    ${cut(c.question, 200)}`);
    if (c.answer !== undefined) lines.push(`   answered: ${cut(c.answer, 400)}`);
    if (c.bytes) lines.push(`   body:     ${formatBytes(c.bytes.size)} of ${c.bytes.type}${c.sideFile ? ` in the side file ${path.basename(c.sideFile)}` : ''}`);
    for (const t of c.toolCalls ?? []) lines.push(`   tool:     ${t.name}(${cut(t.arguments, 200)})`);
    if (c.socket) lines.push(`   socket:   ${c.socket.client} frame${c.socket.client === 1 ? '' : 's'} from the client, ${c.socket.server} from the server${c.socket.closed ? `; closed ${c.socket.closed}` : '; not closed'}`);
    if (c.usage) lines.push(`   tokens:   ${formatUsage(c.usage)}`);
    if (c.reason) lines.push(`   why:      ${cut(c.reason, 300)}`);
    if (c.fault) lines.push(`   fault:    ${cut(c.fault, 300)}`);
    const facts = [c.chunks !== undefined ? `${c.chunks} chunk${c.chunks === 1 ? '' : 's'}` : '', c.durationMs !== undefined && (c.chunks || c.socket) ? `over ${c.durationMs < 1000 ? `${c.durationMs} ms` : `${(c.durationMs / 1000).toFixed(1)} s`}` : ''].filter(Boolean);
    const file = c.file ? path.relative(base, c.file) || c.file : '';
    if (facts.length || file) lines.push(`   ${[facts.join(' '), file].filter(Boolean).join(' · ')}`);
  }
  return lines;
}
