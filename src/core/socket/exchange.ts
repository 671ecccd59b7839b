// The one way through the code for every WebSocket to an LLM URL, as exchange.ts is for HTTP:
//   intercept → key (the connection) → look up → replay | record → store
// The connection is keyed and looked up as an HTTP request is (method GET, endpoint, model), by the
// same recordings, shelf and ledger; then a replay answers the client frame by frame
// (conversation.ts), and a record relays both ways and stores the conversation when it closes.
import { InternalError, LlmOptionError, LlmReplayError, RecordingFileError, ReplayMissError } from '../errors.js';
import { type FaultRule, describeFault } from '../faults.js';
import { type SocketFaultStep, planSocketFault } from '../faults/plan.js';
import type { Interaction } from '../recording.js';
import type { LlmCall } from '../call.js';
import type { Session } from '../session.js';
import type { Served } from '../exchange.js';
import type { Sleeper } from '../clock.js';
import { realtimeModel, redactProtocols } from '../../wire/realtime.js';
import { shown } from '../recordings/miss.js';
import { type Conversation, type Frame, type Side, type Step, Replay, describeFrameMiss } from './conversation.js';
import type { SocketPeer, SocketRequest, SocketTransport, WireFrame } from './transport.js';

export type { SocketPeer, SocketRequest, SocketTransport, WireFrame } from './transport.js';

const EMPTY = Buffer.alloc(0);
/** Close codes: the policy was broken (a frame not in the recording), or the plugin failed. */
const POLICY = 1008;
const INTERNAL = 1011;

/** Serves one socket through `transport`. Never throws: failures reach the client (a close) and the test. */
export function serveSocket(session: Session, req: SocketRequest, transport: SocketTransport): Promise<void> {
  const served: Served = {};
  const closed = new Promise<void>((resolve) => transport.onClose(() => resolve()));
  const done = exchange(session, req, transport, served).catch((err: Error) => {
    const error = err instanceof LlmReplayError ? err : new InternalError(err.message, { cause: err });
    session.ledger.fail(error, served.call);
    transport.close(INTERNAL, reasonOf(error.message));
  });
  // A socket's call is answered once it has closed and its recording (if any) is stored.
  void Promise.all([done, closed]).then(() => served.call && session.ledger.answered(served.call));
  return done;
}

async function exchange(session: Session, req: SocketRequest, t: SocketTransport, served: Served): Promise<void> {
  const described = session.recordings.describe({ method: 'GET', url: req.url, headers: req.headers, body: EMPTY });
  const model = described.model ?? realtimeModel(req.url);
  const request: Interaction['request'] = { ...described, ...(model && { model }), ...(req.protocols.length && { protocols: redactProtocols(req.protocols) }) };
  const call = (served.call = session.ledger.begin(request, t.where));
  // Faults act on answers this plugin gives: none in passthrough mode.
  const rule = session.options.mode !== 'passthrough' && session.faults.active() ? session.faults.for(req.url, request.model) : undefined;
  if (rule) {
    call.fault = describeFault(rule.fault);
    call.faultId = rule.id;
  }
  const fault = rule && {
    rule,
    problem: (error: LlmOptionError) => {
      call.fault = call.faultId = undefined;
      session.ledger.fail(error, call);
    },
  };
  const decision = session.shelf.decide(request);
  switch (decision.kind) {
    case 'replay': {
      const { file, interaction } = decision.found;
      const conversation = interaction.response.socket;
      if (!conversation) throw new RecordingFileError(file, `holds an HTTP answer, not a WebSocket conversation: it cannot answer ${request.url}. Delete it and record again.`);
      // What the fault does, planned on the recording: one it cannot do is told now, before the call is settled.
      const plan = fault && planSocketFault(fault.rule, { frames: conversation.frames.filter((f) => f.from === 'server').length, url: request.url });
      for (const step of plan?.values() ?? []) if (step.problem) fault!.problem(step.problem);
      session.ledger.settle(call, { outcome: 'replayed', file, ...(decision.owner !== undefined && { owner: decision.owner }), ...(decision.copiedFrom && { copiedFrom: decision.copiedFrom }) });
      return replay(session, call, request, conversation, t, plan);
    }
    case 'miss':
      session.ledger.settle(call, { outcome: 'missed' });
      decision.error.where = t.where;
      session.ledger.fail(decision.error, call);
      return t.close(POLICY, reasonOf(`llm-replay: no recording of this socket (${request.endpoint}); see the test's error`));
    case 'passthrough':
      return relay(await t.connect(req), t, () => session.ledger.settle(call, { outcome: 'passthrough' }));
    case 'record': {
      // A socket recorded now is relayed live, as it happens: a fault acts on its replays.
      if (fault) fault.problem(new LlmOptionError(`the fault ${call.fault} for ${request.url} matched a WebSocket that was recorded live; faults act on replayed WebSockets, so it got none. Replay the test to see the fault.`));
      const work = record(session, req, request, decision, call, t);
      session.ledger.track(work);
      return work;
    }
  }
}

/** The recorded server frames, each once the client frames before it have come and matched, at the test's pace. */
function replay(session: Session, call: LlmCall, request: Interaction['request'], conversation: Conversation, t: SocketTransport, faultSteps?: ReadonlyMap<number, SocketFaultStep>): void {
  const plan = new Replay(conversation, session.recordings.rules, request.url);
  const total = conversation.frames.filter((f) => f.from === 'server').length;
  let served = 0;
  const faulted = new Set<number>();
  /** What the test's fault does before server frame `n` (at `total`: after the last): false when it ends the replay. */
  const faultAt = async (n: number): Promise<boolean> => {
    const step = faultSteps?.get(n);
    if (!step || faulted.has(n)) return true;
    faulted.add(n);
    // A fault's wait is the test's number of ms, at any pace (as for an HTTP answer).
    if (step.wait) await sleep(step.wait);
    if (!step.then || closed) return !closed;
    closed = true;
    if ('frame' in step.then) t.send({ text: JSON.stringify(step.then.frame) });
    if (step.then.close) t.close(step.then.close.code, step.then.close.reason);
    return false;
  };
  const pace = session.options.pace;
  const clock: Sleeper | undefined = pace === 'clock' && session.clock?.installed ? session.clock : undefined;
  let closed = false;
  let wake = () => {};
  let queue = Promise.resolve();
  // On the test's clock, waits add up from the socket's start, as a stream's do.
  let due = clock?.now() ?? 0;
  const sleep = (ms: number) =>
    clock
      ? clock.until((due += ms), (stop) => (wake = stop))
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => (clearTimeout(timer), resolve());
        });
  const scaled = (ms: number) => (pace === 'clock' ? ms : pace > 0 ? ms / pace : 0);
  const run = (steps: Step[]) => {
    // A turn's gaps count from when the client frame that started it came (on the clock), or from the turn before.
    const heardAt = clock?.now() ?? 0;
    queue = queue.then(async () => {
      due = Math.max(due, heardAt);
      for (const step of steps) {
        if (closed) return;
        const wait = scaled(step.delay);
        if (wait > 0 || clock) await sleep(wait);
        if (closed || !(await faultAt('send' in step ? served : total))) return;
        if ('send' in step) {
          t.send(wireOf(step.send));
          if (++served === total && !(await faultAt(total))) return;
        } else {
          closed = true;
          t.close(step.close.code, step.close.reason);
        }
      }
    });
    // A transport that throws (its page gone mid-send) ends the replay; the test hears of it unless the client had gone.
    queue = queue.catch((err: Error) => {
      if (closed) return;
      closed = true;
      const error = err instanceof LlmReplayError ? err : new InternalError(`the WebSocket ${request.url} could not be answered as recorded: ${err.message}`, { cause: err });
      session.ledger.fail(error, call);
      try {
        t.close(INTERNAL, reasonOf(error.message));
      } catch {
        // the client's end is gone too
      }
    });
  };
  t.onClose(() => {
    closed = true;
    wake();
  });
  t.onFrame((wire) => {
    if (closed) return;
    let heard: ReturnType<Replay['heard']>;
    try {
      heard = plan.heard(frameOf(wire, 'client', 0));
    } catch (err) {
      // A frame (or a recorded one) too deep to compare: it ends the socket and the test hears why, never the process.
      closed = true;
      wake();
      const error = new InternalError(`the WebSocket ${request.url}: a client frame could not be compared with the recording: ${(err as Error).message}`, { cause: err });
      session.ledger.fail(error, call);
      return t.close(INTERNAL, "llm-replay: a client frame could not be compared; see the test's error");
    }
    if ('steps' in heard) return run(heard.steps);
    closed = true;
    wake();
    const test = session.shelf.test;
    const error = new ReplayMissError(
      [
        `the WebSocket ${request.url} went another way than its recording in replay mode:`,
        `  ${describeFrameMiss(heard.miss, (v) => shown(session.recordings.redactor, v))}`,
        `  To record it: LLM_REPLAY_MODE=record npx playwright test${test ? ` ${test.location}` : ''}`,
      ].join('\n'),
    );
    error.where = t.where;
    session.ledger.fail(error, call);
    t.close(POLICY, reasonOf(`llm-replay: client frame ${heard.miss.index} is not in the recording; see the test's error`));
  });
  run(plan.opening());
}

/** A fault the test injected that acts on this socket's replay, and where its problems go. */
interface SocketFault {
  rule: FaultRule;
  problem(error: LlmOptionError): void;
}

/** Relays both ways, live, and stores the conversation once either side has closed. */
async function record(session: Session, req: SocketRequest, request: Interaction['request'], { occurrence, key }: { occurrence: number; key: string }, call: LlmCall, t: SocketTransport): Promise<void> {
  let server: SocketPeer;
  try {
    server = await t.connect(req);
  } catch (err) {
    session.ledger.settle(call, { outcome: 'not-recorded', reason: `upstream failed: ${(err as Error).message}` });
    return t.close(INTERNAL, reasonOf(`upstream failed: ${(err as Error).message}`));
  }
  const start = performance.now();
  const frames: Frame[] = [];
  const stored = session.recordings.withHeaders(request, { method: 'GET', url: req.url, headers: req.headers, body: EMPTY });
  const closed = await new Promise<{ code: number; reason: string; by: Side } | undefined>((resolve) => {
    relay(server, t, (close) => resolve(close), (frame, from) => frames.push(frameOf(frame, from, round(performance.now() - start))));
  });
  const conversation: Conversation = { frames, ...(closed && { close: { ...closed, t: round(performance.now() - start) } }) };
  // Gemini Live names its model in its first frame (setup), not in the URL.
  const model = request.model ?? realtimeModel(req.url, frames.find((f) => f.from === 'client')?.json);
  const interaction: Interaction = {
    request: { ...stored, ...(model && { model }), ...(request.protocols && { protocols: request.protocols }) },
    response: { status: 101, headers: {}, framing: 'websocket', socket: conversation },
    occurrence,
    test: session.options.test?.title,
    recordedAt: new Date().toISOString(),
  };
  session.ledger.settle(call, { outcome: 'recorded', file: session.shelf.save(interaction, key) });
}

/** Passes frames both ways as they come, and a close on to the other side; `closed` once, with who closed. */
function relay(server: SocketPeer, client: SocketTransport, closed: (close?: { code: number; reason: string; by: Side }) => void, seen?: (frame: WireFrame, from: Side) => void): void {
  let over = false;
  const end = (by: Side, code: number, reason: string) => {
    if (over) return;
    over = true;
    (by === 'client' ? server : client).close(code, reason);
    closed({ code, reason, by });
  };
  client.onFrame((f) => {
    if (over) return;
    seen?.(f, 'client');
    server.send(f);
  });
  server.onFrame((f) => {
    if (over) return;
    seen?.(f, 'server');
    client.send(f);
  });
  client.onClose((code, reason) => end('client', code, reason));
  server.onClose((code, reason) => end('server', code, reason));
}

function frameOf(wire: WireFrame, from: Side, t: number): Frame {
  if ('binary' in wire) return { from, t, binary: wire.binary.toString('base64') };
  // Kept as JSON when it reads back to the same text (the readable, diffable form); else as it came.
  try {
    const json: unknown = JSON.parse(wire.text);
    if (JSON.stringify(json) === wire.text) return { from, t, json };
  } catch {
    // not JSON
  }
  return { from, t, text: wire.text };
}

function wireOf(frame: Frame): WireFrame {
  if (frame.binary !== undefined) return { binary: Buffer.from(frame.binary, 'base64') };
  return { text: frame.json !== undefined ? JSON.stringify(frame.json) : (frame.text ?? '') };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A close reason fits in 123 bytes. */
function reasonOf(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= 123 ? text : bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '…';
}
