// The tokens a call carried, as each provider's answer says: OpenAI chat (`usage.prompt_tokens`…,
// in the last stream chunk with include_usage), Responses (`response.usage` in response.completed),
// Anthropic (`message_start.message.usage` then `message_delta.usage`), Gemini (`usageMetadata`,
// the last chunk's), Ollama (`prompt_eval_count` / `eval_count`), OpenAI Realtime (each
// `response.done`'s `response.usage`, added up). A call whose answer says nothing has no usage.

export interface Usage {
  /** Prompt tokens, cached ones included. */
  input: number;
  /** Completion tokens, reasoning ones included. */
  output: number;
  /** Of the input: read from the provider's cache. */
  cached?: number;
  /** Of the input: written to the provider's cache (Anthropic). */
  cacheWrite?: number;
  /** Of the output: reasoning (thinking) tokens. */
  reasoning?: number;
}

type Json = Record<string, any>;
const obj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** A usage with only the parts the provider gave (zero parts left out). */
function usage(input: number, output: number, parts: { cached?: unknown; cacheWrite?: unknown; reasoning?: unknown } = {}): Usage {
  const u: Usage = { input, output };
  for (const k of ['cached', 'cacheWrite', 'reasoning'] as const) if (num(parts[k])) u[k] = num(parts[k]);
  return u;
}

/** One provider's usage object, in its own words. */
function read(kind: 'usage' | 'gemini' | 'ollama', u: Json): Usage | undefined {
  if (kind === 'gemini') {
    if (typeof u.promptTokenCount !== 'number' && typeof u.candidatesTokenCount !== 'number') return undefined;
    // Gemini counts thoughts apart from the candidates; both are billed as output.
    return usage(num(u.promptTokenCount), num(u.candidatesTokenCount) + num(u.thoughtsTokenCount), { cached: u.cachedContentTokenCount, reasoning: u.thoughtsTokenCount });
  }
  if (kind === 'ollama') return usage(num(u.prompt_eval_count), num(u.eval_count));
  // OpenAI chat, completions and embeddings.
  if (typeof u.prompt_tokens === 'number') return usage(u.prompt_tokens, num(u.completion_tokens), { cached: u.prompt_tokens_details?.cached_tokens, reasoning: u.completion_tokens_details?.reasoning_tokens });
  if (typeof u.input_tokens !== 'number' && typeof u.output_tokens !== 'number') return undefined;
  // Anthropic counts cache reads and writes apart from input_tokens; OpenAI Responses and Realtime within it.
  const cacheRead = num(u.cache_read_input_tokens);
  const cacheWrite = num(u.cache_creation_input_tokens);
  const details = u.input_tokens_details ?? u.input_token_details;
  return usage(num(u.input_tokens) + cacheRead + cacheWrite, num(u.output_tokens), {
    cached: cacheRead || details?.cached_tokens,
    cacheWrite,
    reasoning: (u.output_tokens_details ?? u.output_token_details)?.reasoning_tokens,
  });
}

/** Reads usage from an answer's payloads (stream events' data, or a whole body), one at a time. */
export class UsageReader {
  // The latest usage object seen, its fields merged over the earlier ones (Anthropic's message_delta
  // gives only what changed since message_start; a Gemini chunk may leave out the output count).
  private kind?: 'usage' | 'gemini' | 'ollama';
  private raw: Json = {};

  add(d: unknown, event?: string): void {
    if (!obj(d)) return;
    const type = typeof d.type === 'string' ? d.type : event;
    if (obj(d.usageMetadata)) this.merge('gemini', d.usageMetadata);
    else if (obj(d.usage)) this.merge('usage', d.usage);
    else if (obj(d.response) && obj(d.response.usage)) this.merge('usage', d.response.usage); // Responses: response.completed / incomplete / failed
    else if (type === 'message_start' && obj(d.message) && obj(d.message.usage)) this.merge('usage', d.message.usage);
    else if (typeof d.eval_count === 'number' || typeof d.prompt_eval_count === 'number') this.merge('ollama', d);
  }

  private merge(kind: 'usage' | 'gemini' | 'ollama', u: Json): void {
    if (this.kind !== kind) this.raw = {};
    this.kind = kind;
    for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.raw[k] = v;
  }

  get usage(): Usage | undefined {
    return this.kind ? read(this.kind, this.raw) : undefined;
  }
}

/** Two usages added up. */
export function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return { ...b };
  return usage(a.input + b.input, a.output + b.output, { cached: (a.cached ?? 0) + (b.cached ?? 0), cacheWrite: (a.cacheWrite ?? 0) + (b.cacheWrite ?? 0), reasoning: (a.reasoning ?? 0) + (b.reasoning ?? 0) });
}

/** A realtime session's usage: OpenAI Realtime's `response.done` events, each response's own, added up. */
export function usageOfFrames(frames: readonly { from: 'client' | 'server'; json?: unknown }[]): Usage | undefined {
  let total: Usage | undefined;
  for (const f of frames) {
    const e = f.json as Json | undefined;
    if (f.from !== 'server' || !obj(e) || e.type !== 'response.done' || !obj(e.response?.usage)) continue;
    const u = read('usage', e.response.usage);
    if (u) total = addUsage(total, u);
  }
  return total;
}
