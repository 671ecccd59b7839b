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
