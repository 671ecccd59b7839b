// Runs in the page (context.addInitScript). `route.fulfill` hands the page a whole body at once;
// this turns a replayed body back into the recorded stream: the route handler puts each chunk's
// size and delay in a response header, and the wrapped fetch / EventSource / XMLHttpRequest deliver
// the body one chunk per read, at those delays (and fail after the last one when the upstream's
// stream broke there). Responses without the header are left alone. While recording, the header
// names a live channel instead (src/browser/live.ts): the body comes from it as it arrives. The
// calls made here say they can take that (a request header); a call that does not gets it whole.
// Bundled with what it imports (scripts/build-page-script.mjs) into one init script.
import { createParser } from 'eventsource-parser';
import { type ChunkPlan, CHUNKS_HEADER, LIVE_END, LIVE_REQUEST_HEADER, decodeChunks, liveChannelUrl, withoutPlanHeaders } from './chunk-header.js';

export interface PageScriptArgs {
  /** LLM URL patterns (RegExp source and flags) whose EventSources are driven through fetch. */
  patterns: { source: string; flags: string }[];
}

export function pageScript({ patterns }: PageScriptArgs): void {
  const header = CHUNKS_HEADER;
  const w = window as any;
  if (w.__llmReplayInstalled) return;
  w.__llmReplayInstalled = true;
  const nativeFetch: typeof fetch = w.fetch.bind(w);
  const regexps = patterns.map((p) => new RegExp(p.source, p.flags));
  const isLlm = (url: string) => regexps.some((re) => re.test(url) || re.test(url.split(/[?#]/)[0]));
  const plan = decodeChunks;

  function abortError(signal?: AbortSignal | null): unknown {
    return signal?.reason ?? new DOMException('The user aborted a request.', 'AbortError');
  }

  // Real timers, as they were before a test installs Playwright's clock (which keeps them as builtins).
  const real = w.__pwClock?.builtins ?? { setTimeout: w.setTimeout, clearTimeout: w.clearTimeout };
  const realSetTimeout: typeof setTimeout = real.setTimeout.bind(w);
  const realClearTimeout: typeof clearTimeout = real.clearTimeout.bind(w);

  /**
   * Waits `ms`: on the page's clock when the plan says so (`llmPace: 'clock'`: the page's own
   * timers, which Playwright's clock drives once installed), else in real time. Rejects at once on abort.
   */
  function wait(ms: number, onClock: boolean | undefined, signal?: AbortSignal | null): Promise<void> {
    const set: typeof setTimeout = onClock ? w.setTimeout.bind(w) : realSetTimeout;
    const clear: typeof clearTimeout = onClock ? w.clearTimeout.bind(w) : realClearTimeout;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => (clear(timer), reject(abortError(signal)));
      // A long stream waits once per chunk: each wait takes its listener off the signal when it ends.
      const timer = set(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The wait before each chunk. In real time, its delay after the one before was read. On the
   * page's clock, the time left until it is due: delays add up from `start` (when the page made the
   * request, on its clock), so a clock moved past several chunks releases them all, and a clock
   * moved while the answer was on its way counts.
   */
  function schedule(p: ChunkPlan, start = w.performance.now()): (i: number) => number {
    if (!p.clock) return (i) => p.delays[i] ?? 0;
    let due = 0;
    return (i) => {
      due += p.delays[i] ?? 0;
      return start + due - w.performance.now();
    };
  }

  /** A body as its recorded chunks, one per read, each at its delay; errors where the stream broke. */
  function pacedStream(body: Uint8Array, p: ChunkPlan, start: number, signal?: AbortSignal | null): ReadableStream<Uint8Array> {
    let i = 0;
    let offset = 0;
    const waitFor = schedule(p, start);
    const next = (controller: ReadableStreamDefaultController<Uint8Array>) => {
      if (signal?.aborted) return controller.error(abortError(signal));
      if (i === p.sizes.length) {
        // After the last chunk, a wait before the end (a stall the test asked for): then the end.
        if (p.broken) controller.error(new TypeError('network error'));
        else controller.close();
        return;
      }
      controller.enqueue(body.subarray(offset, offset + p.sizes[i]));
      offset += p.sizes[i];
      i++;
      if (i === p.sizes.length && !p.broken && p.delays.length <= p.sizes.length) controller.close();
    };
    return new ReadableStream<Uint8Array>({
      // A chunk with no wait before it goes at once (no promise per read at pace 0).
      pull(controller) {
        const delay = waitFor(i);
        if (!(delay > 0)) return next(controller);
        return wait(delay, p.clock, signal).then(
          () => next(controller),
          (err) => controller.error(err),
        );
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Opens the live channel `id` (a WebSocket the context routes to Node) and passes what comes to
   * `on`: each chunk, then the end (broken on any close but the end's). `close()` lets it go.
   */
  function openLive(id: string, on: { chunk(bytes: Uint8Array): void; end(broken: boolean): void }): { close(): void } {
    // The WebSocket of now, not of when this script ran: Playwright's routing replaces it.
    const socket: WebSocket = new w.WebSocket(liveChannelUrl(id));
    socket.binaryType = 'arraybuffer';
    let open = true;
    socket.onmessage = (e: MessageEvent<ArrayBuffer>) => open && on.chunk(new Uint8Array(e.data));
    socket.onclose = (e: CloseEvent) => {
      if (!open) return;
      open = false;
      on.end(e.code !== LIVE_END);
    };
    return {
      close() {
        if (!open) return;
        open = false;
        socket.close();
      },
    };
  }

  /**
   * A body as it arrives over a live channel, one read per chunk. A broken upstream errors the body
   * once what came before the break has been read (erroring at once would drop what the reader had
   * not read yet). An abort or a cancel closes the channel: Node takes it as the caller giving up.
   */
  function liveStream(id: string, signal?: AbortSignal | null): ReadableStream<Uint8Array> {
    let channel: { close(): void } | undefined;
    const queue: Uint8Array[] = [];
    let ended: 'ok' | 'broken' | undefined;
    let wake: (() => void) | undefined;
    return new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const stop = () => (channel!.close(), controller.error(abortError(signal)));
          channel = openLive(id, {
            chunk: (bytes) => (queue.push(bytes), wake?.()),
            end: (broken) => {
              signal?.removeEventListener('abort', stop);
              ended = broken ? 'broken' : 'ok';
              wake?.();
            },
          });
          // Aborted already: the channel is opened all the same, so that Node hears it closed.
          if (signal?.aborted) return stop();
          signal?.addEventListener('abort', stop, { once: true });
        },
        async pull(controller) {
          while (!queue.length && !ended) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (queue.length) return controller.enqueue(queue.shift()!);
          if (ended === 'broken') controller.error(new TypeError('network error'));
          else controller.close();
        },
        cancel() {
          channel?.close();
        },
      },
      // Nothing is pulled ahead of the reader: each read gets the next chunk as it came.
      { highWaterMark: 0 },
    );
  }

  const urlOf = (input: RequestInfo | URL) => new URL(input instanceof Request ? input.url : String(input), location.href).href;

  /** The request's init, saying this script can take its answer over a live channel (LLM URLs only: only they are routed). */
  function offerLive(input: RequestInfo | URL, init?: RequestInit): RequestInit | undefined {
    if (!isLlm(urlOf(input))) return init;
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(LIVE_REQUEST_HEADER, '1');
    return { ...init, headers };
  }

  w.fetch = async function (input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const start = w.performance.now();
    const res = await nativeFetch(input, offerLive(input, init));
    const p = plan(res.headers.get(header));
    if (!p) return res;
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const noBody = res.status === 204 || res.status === 304;
    const stream = p.live !== undefined ? liveStream(p.live, signal) : pacedStream(new Uint8Array(await res.arrayBuffer()), p, start, signal);
    // An answer with no body reads nothing from its channel, and lets it go.
    if (noBody && p.live !== undefined) void stream.cancel();
    const paced = new Response(noBody ? null : stream, { status: res.status, statusText: res.statusText, headers: withoutPlanHeaders(res.headers, p) });
    for (const key of ['url', 'redirected', 'type'] as const) Object.defineProperty(paced, key, { value: res[key] });
    return paced;
  };

  // EventSource on an LLM URL: fetched through the wrapped fetch, parsed, dispatched as it streams.
  const NativeEventSource = w.EventSource;
  class ReplayEventSource extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSED = 2;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSED = 2;
    readyState = 0;
    readonly url: string;
    readonly withCredentials: boolean;
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onerror: ((e: Event) => void) | null = null;
    private readonly controller = new AbortController();

    constructor(url: string | URL, init?: EventSourceInit) {
      super();
      this.url = new URL(String(url), location.href).href;
      this.withCredentials = !!init?.withCredentials;
      void this.run();
    }

    close() {
      this.readyState = 2;
      this.controller.abort();
    }

    private emit(event: Event) {
      this.dispatchEvent(event);
      const handler = (this as any)[`on${event.type}`];
      if (typeof handler === 'function' && ['open', 'message', 'error'].includes(event.type)) handler.call(this, event);
    }

    private async run() {
      try {
        const res = await w.fetch(this.url, { headers: { accept: 'text/event-stream' }, credentials: this.withCredentials ? 'include' : 'same-origin', signal: this.controller.signal });
        if (!res.ok || !res.body) throw new Error(`EventSource ${this.url}: ${res.status}`);
        this.readyState = 1;
        this.emit(new Event('open'));
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        const origin = new URL(this.url).origin;
        let lastEventId = '';
        const parser = createParser({
          onEvent: (m) => {
            if (m.id !== undefined) lastEventId = m.id;
            if (this.readyState !== 2) this.emit(new MessageEvent(m.event || 'message', { data: m.data, lastEventId, origin }));
          },
        });
        let text = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text = decoder.decode(value, { stream: true });
          parser.feed(text);
        }
        // A CR at the very end is a whole line end (the parser waits to see if an LF follows).
        if (text.endsWith('\r')) parser.feed('\n');
        // The server closed the stream: a real EventSource reports an error and reconnects; after a
        // replayed answer there is nothing more to get, so it reports the error and closes.
        if (this.readyState !== 2) {
          this.readyState = 2;
          this.emit(new Event('error'));
        }
      } catch {
        if (this.readyState !== 2) {
          this.readyState = 2;
          this.emit(new Event('error'));
        }
      }
    }
  }
  if (NativeEventSource) {
    w.EventSource = new Proxy(NativeEventSource, {
      construct(target, args) {
        const url = new URL(String(args[0]), location.href).href;
        return isLlm(url) ? new ReplayEventSource(args[0], args[1]) : Reflect.construct(target, args);
      },
    });
  }

  // XMLHttpRequest: a replayed body is revealed chunk by chunk, with a progress event per chunk; a
  // live one (an async text request) grows as its chunks arrive.
  const NativeXHR = w.XMLHttpRequest;
  const proto = NativeXHR.prototype;
  const getter = (name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
  const nativeResponseText = getter('responseText');
  const nativeResponse = getter('response');
  const nativeReadyState = getter('readyState');
  const nativeGetHeader = proto.getResponseHeader;
  const nativeGetAll = proto.getAllResponseHeaders;
  /**
   * A request this script delivers: how much of the text shows, whether it is done (the native
   * request's own state shows from then on), and for a live answer the text so far and its channel.
   */
  interface Delivery {
    shown: number;
    done: boolean;
    live?: { text: string; channel?: { close(): void } };
    /** While abort() tells the page: the request reads as DONE, then UNSENT. */
    aborting?: boolean;
  }
  const state = new WeakMap<XMLHttpRequest, Delivery>();
  const stateOf = (xhr: XMLHttpRequest) => state.get(xhr);
  Object.defineProperty(proto, 'responseText', {
    get(this: XMLHttpRequest) {
      const s = stateOf(this);
      if (s?.live) return s.live.text;
      const text: string = nativeResponseText.call(this);
      return s && !s.done ? text.slice(0, s.shown) : text;
    },
    configurable: true,
  });
  Object.defineProperty(proto, 'response', {
    get(this: XMLHttpRequest) {
      const s = stateOf(this);
      if ((s?.live || (s && !s.done)) && (this.responseType === '' || this.responseType === 'text')) return (this as any).responseText;
      return s && !s.done ? null : nativeResponse.call(this);
    },
    configurable: true,
  });
  Object.defineProperty(proto, 'readyState', {
    get(this: XMLHttpRequest) {
      const s = stateOf(this);
      if (s?.aborting) return 4;
      return s && !s.done ? 3 : nativeReadyState.call(this);
    },
    configurable: true,
  });
  /** A replayed XHR's headers as the page would have seen them; undefined for other responses. */
  const visibleXhrHeaders = (xhr: XMLHttpRequest): Headers | undefined => {
    const p = plan(nativeGetHeader.call(xhr, header));
    if (!p) return undefined;
    const all = new Headers();
    for (const line of String(nativeGetAll.call(xhr)).split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) all.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    return withoutPlanHeaders(all, p);
  };
  proto.getResponseHeader = function (this: XMLHttpRequest, name: string) {
    const visible = visibleXhrHeaders(this);
    return visible ? visible.get(name) : nativeGetHeader.call(this, name);
  };
  proto.getAllResponseHeaders = function (this: XMLHttpRequest) {
    const visible = visibleXhrHeaders(this);
    if (!visible) return nativeGetAll.call(this);
    let out = '';
    visible.forEach((value, name) => (out += `${name}: ${value}\r\n`));
    return out;
  };
  // Our listeners must run before the page's, so they are added when the request is made.
  const holdEvents = (xhr: XMLHttpRequest) => {
    let held: Event[] | undefined;
    /** Resolves once the native request has ended (a fulfilled answer ends at once), or the page aborted it. */
    const nativeDone = (s: Delivery) =>
      new Promise<void>((r) => {
        const check = () => (nativeReadyState.call(xhr) === 4 || s.done ? r() : realSetTimeout(check, 0));
        check();
      });
    /** The native events held back, now: where the upstream's stream broke, the request fails after the chunks it had sent. */
    const release = (broken: boolean, total: number) => {
      for (const e of held ?? []) {
        const type = broken && e.type === 'load' ? 'error' : e.type;
        const copy = e instanceof ProgressEvent ? new ProgressEvent(type, { lengthComputable: e.lengthComputable, loaded: total, total }) : new Event(type);
        xhr.dispatchEvent(copy);
      }
    };
    const play = async (p: ChunkPlan) => {
      const s: Delivery = { shown: 0, done: false };
      state.set(xhr, s);
      await nativeDone(s);
      const total = p.sizes.reduce((a, b) => a + b, 0);
      const text: string = nativeResponseText.call(xhr);
      const bytes = new TextEncoder().encode(text);
      const sameLength = bytes.length === total;
      let loaded = 0;
      const waitFor = schedule(p, sentAt.get(xhr));
      for (let i = 0; i < p.sizes.length; i++) {
        const delay = waitFor(i);
        if (delay > 0) await wait(delay, p.clock);
        if (s.done) return; // aborted
        loaded += p.sizes[i];
        s.shown = sameLength ? new TextDecoder().decode(bytes.subarray(0, loaded)).length : text.length;
        if (i < p.sizes.length - 1) {
          xhr.dispatchEvent(new Event('readystatechange'));
          xhr.dispatchEvent(new ProgressEvent('progress', { lengthComputable: true, loaded, total }));
        }
      }
      if (p.delays.length > p.sizes.length) {
        const delay = waitFor(p.sizes.length);
        if (delay > 0) await wait(delay, p.clock);
      }
      if (s.done) return;
      s.done = true;
      release(p.broken, total);
    };
    /** A live answer: the text grows by each chunk as it arrives, with its events; the held ones at the end. */
    const playLive = (id: string) => {
      const live: NonNullable<Delivery['live']> = { text: '' };
      const s: Delivery = { shown: 0, done: false, live };
      state.set(xhr, s);
      const decoder = new TextDecoder();
      let loaded = 0;
      live.channel = openLive(id, {
        chunk: (bytes) => {
          loaded += bytes.length;
          live.text += decoder.decode(bytes, { stream: true });
          xhr.dispatchEvent(new Event('readystatechange'));
          xhr.dispatchEvent(new ProgressEvent('progress', { loaded }));
        },
        end: async (broken) => {
          live.text += decoder.decode();
          await nativeDone(s);
          if (s.done) return;
          s.done = true;
          release(broken, loaded);
        },
      });
    };
    const hold = (e: Event) => {
      if (!held) {
        if (nativeReadyState.call(xhr) < 2) return;
        const p = plan(nativeGetHeader.call(xhr, header));
        if (!p || (xhr.responseType !== '' && xhr.responseType !== 'text')) return;
        held = [];
        if (p.live !== undefined) playLive(p.live);
        else void play(p);
      }
      const s = stateOf(xhr);
      if (s && !s.done && e.isTrusted) {
        e.stopImmediatePropagation();
        // Of the native events, keep the last of each kind for the end.
        held = held.filter((h) => h.type !== e.type);
        held.push(e);
      }
    };
    for (const type of ['readystatechange', 'progress', 'load', 'loadend']) xhr.addEventListener(type, hold);
  };
  /** When each request was sent, on the page's clock: a replay's times count from there. */
  const sentAt = new WeakMap<XMLHttpRequest, number>();
  /** An async request to an LLM URL, for text: it can take a live answer. */
  const canLive = new WeakSet<XMLHttpRequest>();
  w.XMLHttpRequest = class extends NativeXHR {
    constructor() {
      super();
      holdEvents(this as unknown as XMLHttpRequest);
    }
    open(method: string, url: string | URL, async = true, user?: string | null, password?: string | null) {
      const xhr = this as unknown as XMLHttpRequest;
      stateOf(xhr)?.live?.channel?.close();
      state.delete(xhr);
      if (async !== false && isLlm(new URL(String(url), location.href).href)) canLive.add(xhr);
      else canLive.delete(xhr);
      // open() with two arguments is async; with more, as given.
      if (arguments.length <= 2) super.open(method, url);
      else super.open(method, url, async, user, password);
    }
    send(body?: Document | XMLHttpRequestBodyInit | null) {
      const xhr = this as unknown as XMLHttpRequest;
      sentAt.set(xhr, w.performance.now());
      if (canLive.has(xhr) && (xhr.responseType === '' || xhr.responseType === 'text')) this.setRequestHeader(LIVE_REQUEST_HEADER, '1');
      super.send(body);
    }
    /** Stops a delivery mid-answer as the browser stops a request it is still loading: DONE with an abort, then UNSENT. */
    abort() {
      const xhr = this as unknown as XMLHttpRequest;
      const s = stateOf(xhr);
      if (!s || s.done) return super.abort();
      s.done = true;
      s.live?.channel?.close();
      if (s.live) s.live.text = '';
      const loading = nativeReadyState.call(xhr) !== 4;
      super.abort();
      // The native request had ended (the route fulfilled it), so its abort told the page nothing.
      if (loading) return;
      s.aborting = true;
      try {
        xhr.dispatchEvent(new Event('readystatechange'));
        for (const type of ['abort', 'loadend']) xhr.dispatchEvent(new ProgressEvent(type));
      } finally {
        s.aborting = false;
      }
    }
  };
}
