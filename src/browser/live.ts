// The page's answers live while recording. route.fulfill cannot stream, so a call the page script
// made (it says so in a request header) is fulfilled as soon as the upstream's head arrives, with
// no body and a chunk header naming a live channel; the page script opens a WebSocket to the
// channel's URL, which the context routes here (no server: Playwright's routed socket is a side
// channel from Node into the page), and reads the answer from its binary frames as they come. The
// channel closes 1000 at the end, 1011 where the upstream broke. The page closing it (its reader
// cancelled, its fetch aborted, the page gone) is the caller giving up.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, WebSocketRoute } from '@playwright/test';
import { LIVE_BROKEN, LIVE_END, liveChannelId } from './chunk-header.js';

/** A channel refused: none with that id is open (its answer was taken, or the test is over). */
const UNKNOWN = 1008;

/** One answer's way into the page. What is sent before the page connects waits for it. */
export interface LiveChannel {
  readonly id: string;
  send(chunk: Buffer): void;
  /** Ends the answer: whole, or broken (the page's reader then gets an error). */
  close(broken: boolean): void;
  /** The page will not read it: the fulfilled request was cancelled before it connected. */
  abandon(): void;
  /** `listener` is called once, if the page goes first. */
  onGone(listener: () => void): void;
}

/** The context's live channels, by id. */
export class LiveChannels {
  private readonly open = new Map<string, Channel>();
  private active = true;

  /**
   * Routes the context's live channel URLs here. Playwright asks the socket routes registered last
   * first, and an LLM socket route must not take these: install this after any other socket route.
   */
  async install(context: BrowserContext): Promise<void> {
    await context.routeWebSocket((url) => liveChannelId(url) !== undefined, (ws) => {
      const channel = this.open.get(liveChannelId(new URL(ws.url()))!);
      if (!channel) return void ws.close({ code: UNKNOWN, reason: 'no such live channel' }).catch(() => {});
      channel.attach(ws);
    });
  }

  create(): LiveChannel {
    const channel = new Channel(randomUUID(), (c) => this.open.delete(c.id));
    if (this.active) this.open.set(channel.id, channel);
    return channel;
  }

  /** The test is over: the channels not yet taken are let go (a page that asks later is refused). */
  dispose(): void {
    this.active = false;
    this.open.clear();
  }
}

class Channel implements LiveChannel {
  private ws?: WebSocketRoute;
  /** What waits for the page to connect, and how the answer ended if it has. */
  private held: Buffer[] = [];
  private ended?: number;
  /** Closed for good: by us (once the page has it all) or by the page. */
  private done = false;
  private goneListener?: () => void;

  constructor(
    readonly id: string,
    private readonly forget: (c: Channel) => void,
  ) {}

  attach(ws: WebSocketRoute): void {
    if (this.ws || this.done) return void ws.close({ code: UNKNOWN, reason: 'no such live channel' }).catch(() => {});
    this.ws = ws;
    this.forget(this);
    // Set before any frame goes, so the page's close is not passed on to a server (there is none).
    ws.onClose(() => {
      if (this.done) return;
      this.done = true;
      this.held = [];
      // Answers the page's close, as a server would: its socket then closes for good.
      void ws.close().catch(() => {});
      this.goneListener?.();
    });
    for (const chunk of this.held) ws.send(chunk);
    this.held = [];
    if (this.ended !== undefined) this.finish(this.ended);
  }

  send(chunk: Buffer): void {
    if (this.done || this.ended !== undefined) return;
    if (this.ws) this.ws.send(chunk);
    else this.held.push(chunk);
  }

  close(broken: boolean): void {
    if (this.done || this.ended !== undefined) return;
    this.ended = broken ? LIVE_BROKEN : LIVE_END;
    if (this.ws) this.finish(this.ended);
  }

  abandon(): void {
    if (this.done || this.ws) return;
    this.done = true;
    this.held = [];
    this.forget(this);
    this.goneListener?.();
  }

  onGone(listener: () => void): void {
    this.goneListener = listener;
  }

  private finish(code: number): void {
    this.done = true;
    void this.ws!.close({ code, reason: code === LIVE_END ? '' : 'the upstream failed' }).catch(() => {});
  }
}
