// What the realtime providers' WebSocket protocols look like to the plugin: which URLs are realtime
// sessions, which client fields change on every run, which subprotocols carry a key, what a frame's
// type is. OpenAI Realtime (GA and beta event names), Gemini Live (BidiGenerateContent).

/**
 * The realtime URLs caught by default (ws: and wss:), as globs like llmUrls'. @google/genai writes
 * Gemini Live's with a doubled slash (`…googleapis.com//ws/…`: its base URL ends with one).
 */
export const REALTIME_URLS = ['wss://api.openai.com/v1/realtime**', 'wss://generativelanguage.googleapis.com/{,/}ws/**'];

/** Client frame fields that are new on every run and never part of the match (OpenAI's client `event_id`). */
export const VOLATILE_FRAME_FIELDS = ['event_id'];

/** A subprotocol that carries a key (the browser's way to authenticate to OpenAI Realtime). */
const SECRET_PROTOCOL = /^(openai-insecure-api-key\.|openai-organization\.|openai-project\.)/;

/** The subprotocols as stored: a key-carrying one keeps its name, not its key. */
export function redactProtocols(protocols: readonly string[]): string[] {
  return protocols.map((p) => {
    const m = SECRET_PROTOCOL.exec(p);
    return m ? `${m[1]}<redacted>` : p;
  });
}

/**
 * The subprotocol a server answers a handshake with, when no real server chose one (a replay): as
 * the providers do, `realtime` when offered, else the first offered that carries no key.
 */
export function answeredProtocol(offered: readonly string[]): string | undefined {
  return offered.includes('realtime') ? 'realtime' : offered.find((p) => !SECRET_PROTOCOL.test(p));
}

/** A frame's type, for messages: OpenAI's `type`, or Gemini Live's one top-level key (`setup`, `clientContent`, `serverContent`…). */
export function frameType(json: unknown): string | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.type === 'string') return o.type;
  const keys = Object.keys(o).filter((k) => k !== 'usageMetadata');
  return keys.length ? keys[0] : undefined;
}

/** The model a realtime URL names: OpenAI's `?model=`, or none (Gemini Live names it in its setup frame). */
export function realtimeModel(url: string, firstClientFrame?: unknown): string | undefined {
  try {
    const model = new URL(url).searchParams.get('model');
    if (model) return model;
  } catch {
    // not a URL: no model
  }
  const setup = (firstClientFrame as { setup?: { model?: unknown } } | undefined)?.setup;
  return typeof setup?.model === 'string' ? setup.model.replace(/^models\//, '') : undefined;
}

/**
 * A realtime provider's own error, for an `{ errorEvent }` fault: OpenAI's `error` event (the socket
 * stays open), or for Gemini Live, which has no error event, a close with 1011 and the message.
 */
export function realtimeError(url: string, value: true | string | object): { frame: object; close?: { code: number; reason: string } } | { close: { code: number; reason: string } } {
  const message = typeof value === 'string' ? value : 'The server had an error while processing your request. (fault injected by playwright-llm-replay)';
  if (/BidiGenerateContent/.test(url) && typeof value !== 'object') return { close: { code: 1011, reason: typeof value === 'string' ? value.slice(0, 120) : 'Internal error encountered.' } };
  if (typeof value === 'object') return { frame: value };
  return { frame: { type: 'error', event_id: 'event_llm_replay_fault', error: { type: 'server_error', code: 'server_error', message, param: null, event_id: null } } };
}

/** What a person reads of a realtime conversation: the last thing the user said, and the text the model answered (its last response). */
export function summarizeFrames(frames: readonly { from: 'client' | 'server'; json?: unknown }[]): { question?: string; answer?: string } {
  let question: string | undefined;
  let answer = '';
  for (const f of frames) {
    const e = f.json as Record<string, any> | undefined;
    if (!e || typeof e !== 'object') continue;
    if (f.from === 'client') {
      // OpenAI: a user message item; Gemini Live: a client turn, or realtime text.
      const said =
        e.type === 'conversation.item.create' ? (e.item?.content ?? []).map((c: any) => c?.text ?? c?.transcript ?? '').join('') : e.clientContent ? (e.clientContent.turns ?? []).flatMap((t: any) => (t?.parts ?? []).map((p: any) => p?.text ?? '')).join('') : typeof e.realtimeInput?.text === 'string' ? e.realtimeInput.text : '';
      if (said) {
        question = said;
        answer = '';
      }
      continue;
    }
    if (typeof e.delta === 'string' && /^response\.(output_)?(text|audio_transcript)\.delta$/.test(e.type)) answer += e.delta;
    for (const part of e.serverContent?.modelTurn?.parts ?? []) if (typeof part?.text === 'string') answer += part.text;
  }
  return { ...(question !== undefined && { question }), ...(answer && { answer }) };
}
