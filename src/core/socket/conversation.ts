// A recorded WebSocket conversation, replayed against a live client: the server's frames are sent
// once the client frames recorded before them have arrived and matched, each after the gap it had
// from the frame before it; a client frame that does not match is a miss naming its index, its type
// and the fields that differ. Pure: no socket, no timer. A transport sends what it is told to, after
// the delays it is given (scaled by llmPace, or on the test's clock), and closes as it is told.
import crypto from 'node:crypto';
import { type Difference, type KeyRules, differences, keyBody } from '../key.js';
import { VOLATILE_FRAME_FIELDS, frameType } from '../../wire/realtime.js';

export type Side = 'client' | 'server';

/** One frame as a recording keeps it: who sent it, when (ms since the socket opened), and what. */
export interface Frame {
  from: Side;
  t: number;
  /** A text frame that is JSON, parsed. */
  json?: unknown;
  /** A text frame that is not JSON. */
  text?: string;
  /** A binary frame, as base64. */
  binary?: string;
}

export interface SocketClose {
  code: number;
  reason: string;
  by: Side;
  t: number;
}

export interface Conversation {
  frames: Frame[];
  /** How it ended; none when the test ended first. */
  close?: SocketClose;
}

/** What the transport does next: send a server frame after `delay` ms, or close after `delay` ms. */
export type Step = { send: Frame; delay: number } | { close: SocketClose; delay: number };

/** A client frame that does not continue the recorded conversation. */
export interface FrameMiss {
  /** Its index among the client's frames (from 0). */
  index: number;
  /** Its type (`conversation.item.create`, `clientContent`…), when it has one. */
  type?: string;
  /** The recorded client frame it was compared with; none when the recording had no more. */
  expected?: Frame;
  differences: Difference[];
}

/** Strings longer than this (base64 audio, images) take part in a frame's match as their sha256. */
const DIGESTED = 512;

/** A frame's content as it takes part in the match: volatile fields and llmIgnore out, long payloads as hashes. */
export function frameContent(frame: Frame, rules: KeyRules, url: string): unknown {
  if (frame.json === undefined) return frame.binary !== undefined ? { binary: digest(frame.binary) } : { text: digested(frame.text ?? '') };
  const body = keyBody({ method: 'GET', url, body: frame.json }, { ...rules, ignore: withVolatile(rules.ignore) });
  return digested(body);
}

function withVolatile(ignore: KeyRules['ignore']): KeyRules['ignore'] {
  return typeof ignore === 'function' ? [...VOLATILE_FRAME_FIELDS, ignore] : [...VOLATILE_FRAME_FIELDS, ...ignore];
}

function digest(s: string): string {
  return `sha256:${crypto.createHash('sha256').update(s).digest('hex')} (${s.length} chars)`;
}

function digested(v: unknown): unknown {
  if (typeof v === 'string') return v.length > DIGESTED ? digest(v) : v;
  if (Array.isArray(v)) return v.map(digested);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, digested(x)]));
  return v;
}

/**
 * A recorded conversation replayed: `opening()` once the client has connected, then `heard()` for
 * each client frame, in order. Each returns what to do next.
 */
export class Replay {
  /** The next recorded frame not yet sent or heard. */
  private at = 0;
  private clientFrames = 0;
  private readonly url: string;

  constructor(
    private readonly recorded: Conversation,
    private readonly rules: KeyRules,
    url: string,
  ) {
    this.url = url;
  }

  /** What the server does before the client says anything (OpenAI's `session.created`). */
  opening(): Step[] {
    return this.serverTurn(0);
  }

  /** The client sent `frame` (its `t` is ignored): what the server does next, or the miss. */
  heard(frame: Frame): { steps: Step[] } | { miss: FrameMiss } {
    const index = this.clientFrames++;
    const expected = this.recorded.frames[this.at];
    const wanted = frameContent(frame, this.rules, this.url);
    const type = frameType(frame.json);
    if (!expected || expected.from !== 'client') return { miss: { index, type, differences: [{ path: '(frame)', ignore: '', recorded: undefined, wanted }] } };
    const diff = differences(frameContent(expected, this.rules, this.url), wanted);
    if (diff.length) return { miss: { index, type, expected, differences: diff } };
    this.at++;
    return { steps: this.serverTurn(expected.t) };
  }

  /** Whether every recorded frame has been sent or heard. */
  get done(): boolean {
    return this.at >= this.recorded.frames.length;
  }

  /** The server frames from `at` up to the next client frame, each after its gap from the frame before; then the server's close, if that came next. */
  private serverTurn(since: number): Step[] {
    const steps: Step[] = [];
    let last = since;
    const frames = this.recorded.frames;
    while (this.at < frames.length && frames[this.at].from === 'server') {
      const f = frames[this.at++];
      steps.push({ send: f, delay: Math.max(0, f.t - last) });
      last = f.t;
    }
    const close = this.recorded.close;
    if (this.at >= frames.length && close?.by === 'server') steps.push({ close, delay: Math.max(0, close.t - last) });
    return steps;
  }
}

/** A miss as one line for a message: the frame's index and type, and each differing field with its recorded and new values. */
export function describeFrameMiss(miss: FrameMiss, show: (v: unknown) => string): string {
  const what = `client frame ${miss.index}${miss.type ? ` (${miss.type})` : ''}`;
  if (!miss.expected) return `${what} was not in the recording (it ended before it)`;
  const fields = miss.differences.slice(0, 8).map((d) => `${d.path}: ${show(d.wanted)} (recorded: ${show(d.recorded)})`);
  return `${what} differs from the recorded one: ${fields.join('; ')}${miss.differences.length > 8 ? `; … (${miss.differences.length} in all)` : ''}`;
}

