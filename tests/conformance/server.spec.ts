// The conformance cases on the app server: a Node server (server-app.mjs) started with the plugin's
// preload (`node --import dist/register.js`) and the environment llmServerEnv() gives a webServer,
// called by Node's fetch with the test's signed attribution header, as a page calls its backend. It
// relays each call to the upstream with Node's fetch and streams the answer back read by read, and
// each WebSocket to one it opens with undici's WebSocket, frame by frame (the handshake carries the
// header).
//
// One app per worker (a worker fixture), so its llmDir is fixed while each case wants a fresh one:
// the app's llmDir is a symlink that each case points at its own (a worker runs one case at a time).
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { test as base } from '@playwright/test';
import { llmServerEnv } from '../../src/server-env.js';
import { freePort } from '../support/ports.js';
import { fromRoot } from '../support/paths.js';
import type { Adapter } from './adapter.js';
import { conformance } from './cases.js';
import { fetchReads } from './fetch-reads.js';
import { remoteSession } from './remote.js';
import { undiciSocket } from './undici-socket.js';

interface App {
  url: string;
  /** The app's llmDir: a symlink to the current case's. */
  root: string;
}

let app: App | undefined;

const test = base.extend<{}, { app: App }>({
  app: [
    async ({}, use, workerInfo) => {
      const dir = path.join(workerInfo.project.outputDir, `.server-app-${workerInfo.workerIndex}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
      const root = path.join(dir, 'llm');
      fs.symlinkSync(path.join(dir, 'empty'), root);
      const port = await freePort();
      const { NODE_OPTIONS: _, ...env } = { ...process.env, ...llmServerEnv({ llmDir: root }) };
      // llmServerEnv() carries the run's secret (runSecret(), as remote.ts signs with) and names the
      // preload beside its own module (here src/): the built one is dist's, given on the command line.
      const child = spawn(process.execPath, ['--import', fromRoot('dist/register.js'), fromRoot('tests/conformance/server-app.mjs')], {
        env: { ...env, PORT: String(port) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stderr!.on('data', (d) => (output += d));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          output += d;
          if (output.includes('listening')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the app exited (${code}) before listening:\n${output}`)));
      });
      app = { url: `http://127.0.0.1:${port}`, root };
      await use(app);
      app = undefined;
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker', auto: true },
  ],
});

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Points the app's llmDir at this case's. */
function pointAt(root: string, llmDir: string): void {
  fs.mkdirSync(llmDir, { recursive: true });
  const next = `${root}.next`;
  fs.rmSync(next, { force: true });
  fs.symlinkSync(llmDir, next);
  fs.renameSync(next, root);
}

const server: Adapter = {
  name: 'server',
  http: true,
  caps: {
    sockets: true,
    // Found by this suite: the merge happens at both steps (seen by counting the app's reads).
    readsPerChunk:
      "two chunks may merge at either step: in the app, whose fetch reads the plugin's answer but awaits its client's socket between reads, the plugin writes the next chunk a turn of the event loop later (at pace 0 two chunks then reach the app as one read; an app that reads back to back gets one read each); and over the extra HTTP hop, the app's writes a turn apart may reach the test as one read, as through the proxy",
    exactClock: false,
    streamsWhileRecording: true,
  },
  async start(o) {
    if (!app) throw new Error('the server adapter runs only in tests that use its `app` fixture');
    const { url, root } = app;
    pointAt(root, o.llmDir);
    const remote = remoteSession(o);
    return {
      ...remote,
      call: (req) => fetchReads(`${url}/relay`, req, { ...remote.headers(), 'x-upstream': o.upstream.url + req.path }),
      socket: (path, protocols = []) => undiciSocket(`${url.replace(/^http/, 'ws')}/socket`, protocols, { ...remote.headers(), 'x-upstream': o.upstream.url.replace(/^http/, 'ws') + path }),
    };
  },
};

// The cases run with the fixture that starts the app in their worker (auto); they reach it through `app`.
conformance(server, test);
