// What a person wants to see of an LLM call at a glance: the last thing the user asked, and what
// came back (the text, and the tools called). Provider knowledge: how each API shapes a question
// and an answer, streamed or whole.

import { type Usage, UsageReader } from './usage.js';

export interface ToolCall {
  name: string;
  arguments: string;
}

export interface Summary {
  /** The last user message (or prompt / input) of the request. */
  question?: string;
  /** The answer's text, put together from a stream's deltas or taken from a whole body. */
  text?: string;
  toolCalls: ToolCall[];
  /** What else came back, when it is not text (embeddings, a model list). */
  other?: string;
  /** The tokens the answer says the call carried (see usage.ts); none when it says nothing. */
  usage?: Usage;
}

type Json = Record<string, any>;
const obj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Text of a message's content: a string, or parts with text. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((p) => (typeof p === 'string' ? p : obj(p) ? (p.text ?? p.input_text ?? (typeof p.content === 'string' ? p.content : undefined)) : undefined)).filter((t): t is string => typeof t === 'string');
  return texts.length ? texts.join(' ') : undefined;
}

/** The last thing the user said, in any provider's request shape. */
export function questionOf(body: unknown): string | undefined {
  if (!obj(body)) return typeof body === 'string' ? body : undefined;
  const lastUser = (list: unknown, role = 'user') => (Array.isArray(list) ? [...list].reverse().find((m) => obj(m) && m.role === role) : undefined);
  const message = lastUser(body.messages);
  if (message) return contentText(message.content);
  if (typeof body.input === 'string') return body.input; // OpenAI Responses, embeddings
  if (Array.isArray(body.input)) {
    const item = lastUser(body.input);
    if (item) return contentText(item.content);
    if (body.input.every((x: unknown) => typeof x === 'string')) return body.input.join(' | ');
  }
  const gemini = lastUser(body.contents);
  if (gemini) return contentText(gemini.parts);
  if (typeof body.contents === 'string') return body.contents;
  if (typeof body.prompt === 'string') return body.prompt; // completions, Ollama generate
  return undefined;
}

/** Folds one answer payload (a stream event's data, or a whole body) into the summary. */
class Answer {
  text = '';
  hasText = false;
  private readonly tools = new Map<string, ToolCall>();
  other?: string;

  addText(t: unknown): void {
    if (typeof t !== 'string' || !t) return;
    this.text += t;
    this.hasText = true;
  }

  tool(key: string, name?: string, args?: unknown): void {
    const call = this.tools.get(key) ?? { name: '', arguments: '' };
    if (name) call.name = name;
    if (typeof args === 'string') call.arguments += args;
    else if (args !== undefined) call.arguments = JSON.stringify(args);
    this.tools.set(key, call);
  }

  add(d: unknown, event?: string): void {
    if (!obj(d)) return;
    // OpenAI chat (delta or message), completions.
    for (const choice of Array.isArray(d.choices) ? d.choices : []) {
      const m = choice.delta ?? choice.message;
      if (obj(m)) {
        this.addText(m.content);
        for (const [i, tc] of (Array.isArray(m.tool_calls) ? m.tool_calls : []).entries()) this.tool(`chat-${tc.index ?? i}`, tc.function?.name, tc.function?.arguments);
      }
      this.addText(choice.text);
    }
    // OpenAI Responses: streamed deltas, and whole function calls.
    const type = typeof d.type === 'string' ? d.type : event;
    if (type === 'response.output_text.delta') this.addText(d.delta);
    if (type === 'response.output_item.done' && obj(d.item) && d.item.type === 'function_call') this.tool(`resp-${d.item.id ?? d.output_index}`, d.item.name, d.item.arguments);
    if (Array.isArray(d.output) && !this.hasText && !this.tools.size) {
      for (const item of d.output) {
        if (item?.type === 'message') for (const c of item.content ?? []) this.addText(c?.text);
        if (item?.type === 'function_call') this.tool(`resp-${item.id}`, item.name, item.arguments);
      }
    }
    // Anthropic: streamed blocks and deltas, or a whole message.
    if (type === 'content_block_start' && obj(d.content_block)) {
      if (d.content_block.type === 'tool_use') this.tool(`ant-${d.index}`, d.content_block.name);
      this.addText(d.content_block.text);
    }
    if (type === 'content_block_delta' && obj(d.delta)) {
      this.addText(d.delta.text);
      if (d.delta.type === 'input_json_delta') this.tool(`ant-${d.index}`, undefined, d.delta.partial_json);
    }
    if (d.type === 'message' && Array.isArray(d.content)) {
      for (const [i, block] of d.content.entries()) {
        if (block?.type === 'text') this.addText(block.text);
        if (block?.type === 'tool_use') this.tool(`ant-${i}`, block.name, block.input);
      }
    }
    // Gemini.
    for (const candidate of Array.isArray(d.candidates) ? d.candidates : []) {
      for (const [i, part] of (candidate?.content?.parts ?? []).entries()) {
        if (part?.thought) continue;
        this.addText(part?.text);
        if (obj(part?.functionCall)) this.tool(`gem-${i}-${part.functionCall.name}`, part.functionCall.name, part.functionCall.args ?? {});
      }
    }
    // Ollama chat and generate.
    if (obj(d.message) && !Array.isArray(d.choices)) {
      this.addText(d.message.content);
      for (const [i, tc] of (Array.isArray(d.message.tool_calls) ? d.message.tool_calls : []).entries()) this.tool(`oll-${i}`, tc.function?.name, tc.function?.arguments);
    }
    if (typeof d.response === 'string') this.addText(d.response);
    // Not text at all.
    if (Array.isArray(d.data) && d.data.every((x: unknown) => obj(x) && 'embedding' in x)) this.other = `${d.data.length} embedding(s)`;
    if (Array.isArray(d.embeddings)) this.other = `${d.embeddings.length} embedding(s)`;
    if (obj(d.embedding)) this.other = '1 embedding';
  }

  get toolCalls(): ToolCall[] {
    return [...this.tools.values()].filter((t) => t.name || t.arguments);
  }
}

/** The question and the answer of a call, from its request body and its response's payloads. */
export function summarize(requestBody: unknown, payloads: Iterable<{ data?: unknown; event?: string }>, limit = 100_000): Summary {
  const answer = new Answer();
  const usage = new UsageReader();
  let n = 0;
  for (const p of payloads) {
    if (++n > limit) break;
    answer.add(p.data, p.event);
    usage.add(p.data, p.event);
  }
  return { question: questionOf(requestBody), text: answer.hasText ? answer.text : undefined, toolCalls: answer.toolCalls, other: answer.other, ...(usage.usage && { usage: usage.usage }) };
}
