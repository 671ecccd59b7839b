// What LLM calls cost live, in US dollars per million tokens, from the providers' published list
// prices (standard tier, text) as of PRICES_AS_OF. Only prices known for sure are here; a model not
// here has no price, and the run summary says so instead of guessing. The reporter's `prices` option
// adds models or overrides these.
import { z } from 'zod';
import { LlmOptionError } from './core/errors.js';
import type { Usage } from './wire/usage.js';

export interface Price {
  /** Dollars per million input tokens. */
  input: number;
  /** Dollars per million output tokens (reasoning included). */
  output: number;
  /** Dollars per million input tokens read from the cache; the input price when not given. */
  cachedInput?: number;
  /** Dollars per million input tokens written to the cache (Anthropic); the input price when not given. */
  cacheWrite?: number;
  /** A higher price for prompts over `tokens` input tokens (Gemini 2.5 Pro above 200k). */
  above?: { tokens: number; input: number; output: number; cachedInput?: number };
}

/** The month the prices below were read from the providers' pricing pages. */
export const PRICES_AS_OF = '2025-11';

const anthropic = (input: number, output: number): Price => ({ input, output, cachedInput: input / 10, cacheWrite: input * 1.25 });

export const PRICES: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // Anthropic: cache reads at a tenth of the input price, 5-minute cache writes at 1.25 times it.
  'claude-3-haiku': anthropic(0.25, 1.25),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-3-5-sonnet': anthropic(3, 15),
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-sonnet-4-0': anthropic(3, 15),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-3-opus': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-opus-4-0': anthropic(15, 75),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4-5': anthropic(5, 25),
  // Google (paid tier; cached prices left out where not sure: cached tokens are then priced as input)
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.5-pro': { input: 1.25, output: 10, above: { tokens: 200_000, input: 2.5, output: 15 } },
};

// Dated and aliased ids name the same model: gpt-4o-mini-2024-07-18, claude-3-5-sonnet-20241022,
// claude-3-7-sonnet-latest, gemini-2.0-flash-001, models/gemini-2.5-pro.
const SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest|\d{3})$/;

/** A model's price and the id it was found under; undefined when neither the model nor its undated id has one. */
export function priceOf(model: string, prices: Readonly<Record<string, Price>> = PRICES): { id: string; price: Price } | undefined {
  let id = model.trim().replace(/^models\//, '');
  for (;;) {
    const price = Object.hasOwn(prices, id) ? prices[id] : Object.hasOwn(prices, id.toLowerCase()) ? prices[id.toLowerCase()] : undefined;
    if (price) return { id, price };
    const shorter = id.replace(SUFFIX, '');
    if (shorter === id) return undefined;
    id = shorter;
  }
}

/** What a call's tokens cost at a price, in dollars. */
export function costOf(u: Usage, price: Price): number {
  const p = price.above && u.input > price.above.tokens ? { ...price, ...price.above } : price;
  const cached = u.cached ?? 0;
  const written = u.cacheWrite ?? 0;
  const plain = Math.max(0, u.input - cached - written);
  return (plain * p.input + cached * (p.cachedInput ?? p.input) + written * (price.cacheWrite ?? p.input) + u.output * p.output) / 1e6;
}

/** Dollars as a person reads them: $4.20, and small sums to two significant digits ($0.00045). */
export function formatDollars(d: number): string {
  if (d === 0) return '$0';
  if (d >= 0.01) return `$${d.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${Number(d.toPrecision(2)).toString()}`;
}

/** A token count in a line: 1,500, or 2.1 M from a million on. */
export function formatTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString('en-US');
}

const Dollars = (what: string) => z.number({ error: `${what} must be a number of dollars per million tokens` }).finite(`${what} must be a finite number`).nonnegative(`${what} must not be negative`);
const PriceSchema = z.strictObject(
  {
    input: Dollars('input'),
    output: Dollars('output'),
    cachedInput: Dollars('cachedInput').optional(),
    cacheWrite: Dollars('cacheWrite').optional(),
    above: z.strictObject({ tokens: z.number().int().positive(), input: Dollars('above.input'), output: Dollars('above.output'), cachedInput: Dollars('above.cachedInput').optional() }).optional(),
  },
  { error: 'must be { input, output } in dollars per million tokens (cachedInput, cacheWrite optional)' },
);

/** The reporter's `prices` option checked: an LlmOptionError naming each bad entry. */
export function checkPrices(v: unknown): Record<string, Price> {
  if (v === undefined) return {};
  const parsed = z.record(z.string(), PriceSchema, { error: "prices must be an object of model id → { input, output }, e.g. { 'my-model': { input: 1, output: 2 } }" }).safeParse(v);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const [model, ...rest] = i.path.map(String);
    return model === undefined ? `  prices: ${i.message}` : `  prices[${JSON.stringify(model)}]${rest.length ? `.${rest.join('.')}` : ''}: ${i.message}`;
  });
  throw new LlmOptionError(`invalid reporter option\n${lines.join('\n')}\nPrices are US dollars per million tokens, e.g. ['playwright-llm-replay/reporter', { prices: { 'my-model': { input: 1, output: 2 } } }].`);
}
