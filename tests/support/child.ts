// Runs a small Playwright project (tests/projects/<name>) in a child process, as a user would.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fromRoot } from './paths.js';

export interface ChildRun {
  code: number | null;
  output: string;
  /** Each test's title → its last `{"report": …}` line, when it printed one. */
  reports: Record<string, any>;
  /** Each test's title → its status, error messages and attachments (name → text). */
  results: Record<string, ChildResult>;
  /** With --repeat-each: each test's title → every run of it (each repetition), in the report's order. */
  runs: Record<string, (ChildResult & { report?: any })[]>;
}

export interface ChildResult {
  status: string;
  errors: string[];
  attachments: Record<string, string>;
  steps: ReportedStep[];
  annotations: { type: string; description?: string }[];
}

/** A step as the JSON report gives it (test.step steps, ours among them). */
export interface ReportedStep {
  title: string;
  duration: number;
  error?: { message?: string };
  steps?: ReportedStep[];
}

export async function runProject(project: string, args: string[], env: Record<string, string | undefined>): Promise<ChildRun> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(PW_|TEST_|PLAYWRIGHT_|CI$|LLM_REPLAY_MODE$|FORCE_COLOR)/.test(k)) clean[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  const cli = fromRoot('node_modules/@playwright/test/cli.js');
  // JSON on stdout is how results come back; a run may add reporters of its own (`--reporter=json,html`),
  // or a project its own reporters in its config (with JSON_OUT set).
  const reporter = args.some((a) => a.startsWith('--reporter')) || env.JSON_OUT ? [] : ['--reporter=json'];
  const child = spawn(process.execPath, [cli, 'test', '-c', fromRoot(`tests/projects/${project}/playwright.config.ts`), ...reporter, ...args], {
    cwd: fromRoot(),
    env: clean,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const reports: Record<string, any> = {};
  const results: ChildRun['results'] = {};
  const runs: ChildRun['runs'] = {};
  try {
    // A project may have its JSON reporter write to a file (JSON_OUT), to keep stdout for others.
    const json = JSON.parse(env.JSON_OUT ? fs.readFileSync(env.JSON_OUT, 'utf8') : stdout);
    const visit = (suite: any) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          const r = t.results.at(-1);
          const attachments = Object.fromEntries((r.attachments ?? []).filter((a: any) => a.body).map((a: any) => [a.name, Buffer.from(a.body, 'base64').toString('utf8')]));
          results[spec.title] = { status: r.status, errors: (r.errors ?? []).map((e: any) => e.message ?? ''), attachments, steps: r.steps ?? [], annotations: r.annotations ?? t.annotations ?? [] };
          let report: any;
          for (const out of r.stdout ?? []) {
            const line = (out.text ?? '').split('\n').find((l: string) => l.startsWith('{"report"'));
            if (line) reports[spec.title] = report = JSON.parse(line).report;
          }
          (runs[spec.title] ??= []).push({ ...results[spec.title], ...(report && { report }) });
        }
      }
      (suite.suites ?? []).forEach(visit);
    };
    json.suites.forEach(visit);
    for (const e of json.errors ?? []) results['(global)'] = { status: 'error', errors: [...(results['(global)']?.errors ?? []), e.message], attachments: {}, steps: [], annotations: [] };
  } catch {
    // Not JSON: the caller sees `output`.
  }
  return { code, output: stdout + stderr, reports, results, runs };
}
