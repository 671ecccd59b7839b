// The one place that normalises headers. Inside the plugin a header list is `[name, value]` pairs
// with lower-case names, in the order received, repeats kept; everything that arrives (undici's raw
// `[name, value, …]` arrays of Buffers, records, Headers, Playwright's header objects) goes
// through `headerList`, and everything that leaves goes through `headerRecord` or `headerPairs`.

export type HeaderList = [name: string, value: string][];

export type HeaderInput =
  | HeaderList
  | ReadonlyArray<string | Buffer>
  | Iterable<[string, string]>
  | Record<string, string | string[] | number | undefined | null>
  | null
  | undefined;

/** Any header shape as a list of `[lower-case name, value]` pairs. Array values become repeats. */
export function headerList(input: HeaderInput): HeaderList {
  const out: HeaderList = [];
  if (!input) return out;
  const add = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return;
    const n = String(name).toLowerCase();
    if (Array.isArray(value)) for (const v of value) out.push([n, String(v)]);
    else out.push([n, String(value)]);
  };
  if (Array.isArray(input)) {
    if (input.length && Array.isArray(input[0])) for (const [k, v] of input as HeaderList) add(k, v);
    else {
      const flat = input as unknown as ReadonlyArray<string | Buffer>;
      for (let i = 0; i + 1 < flat.length; i += 2) add(flat[i].toString(), typeof flat[i + 1] === 'string' ? flat[i + 1] : flat[i + 1].toString('latin1'));
    }
  } else if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of input as Iterable<[string, string]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(input)) add(k, v);
  }
  return out;
}

/** One value per name, repeats joined with `, ` (as fetch's Headers does). */
export function headerRecord(list: HeaderList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of list) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

export function headerValue(list: HeaderList, name: string): string | undefined {
  const values = list.filter(([n]) => n === name).map(([, v]) => v);
  return values.length ? values.join(', ') : undefined;
}

/** Headers about one connection, not the message: never stored, never passed on by a proxy. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

/**
 * A WebSocket handshake's own headers: each connection's (a transport that answers a client's
 * handshake makes its own to the server); never stored. The subprotocols travel as a list of their own.
 */
export const WEBSOCKET_HANDSHAKE: ReadonlySet<string> = new Set(['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'sec-websocket-accept']);

/** Headers that describe how this copy of a body travelled; a replay computes its own. */
export const TRANSPORT_ONLY: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'content-length', 'content-encoding', 'date']);

export function without(list: HeaderList, names: ReadonlySet<string>): HeaderList {
  return list.filter(([n]) => !names.has(n));
}
