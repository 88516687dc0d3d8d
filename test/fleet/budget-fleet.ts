/**
 * Runs N budget-worker.ts processes against one emulator and one Redis, released together, and collects their
 * reports (test/fleet/helix-budget-fleet.test.ts, bench/helix-budget.bench.ts). Runner-agnostic.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./budget-worker.ts', import.meta.url));

/** What one worker reports. */
export interface WorkerReport {
  readonly ok: number;
  readonly failed: string[];
  readonly elapsedMs: number;
  readonly minted: number;
  readonly sharedReads: number;
  readonly http: { requests: number; retries: number; rateLimitWaits: number; renewals: number };
  readonly budget: { takes: number; granted: number; waits: number; observed: number; failures: number };
  readonly redisErrors: string[];
}

/** Options of {@link runBudgetFleet}. */
export interface BudgetFleetOptions {
  readonly processes: number;
  readonly requests: number;
  readonly helixUrl: string;
  readonly oauthUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redisUrl: string;
  readonly windowMs: number;
  readonly reserve: number;
  /** Kills every worker after this long (real ms). */
  readonly killAfterMs: number;
}

interface Running {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<WorkerReport>;
}

function start(options: BudgetFleetOptions): Running {
  const { processes: _p, killAfterMs, ...workerOptions } = options;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=twitch-realtime:source', WORKER, JSON.stringify(workerOptions)],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], timeout: killAfterMs },
  );
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const done = new Promise<WorkerReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`budget worker exited with ${String(code ?? signal)}:\n${err}\n${out}`));
        return;
      }
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
  // A worker that dies before it is ready must not leave the fleet waiting for it.
  void done.catch(onReady);
  return { child, ready, done };
}

/**
 * Starts `processes` workers, waits until each is connected, releases them together, and resolves with their
 * reports and the wall time from release to the last report (real ms).
 */
export async function runBudgetFleet(
  options: BudgetFleetOptions,
): Promise<{ reports: WorkerReport[]; wallMs: number }> {
  const workers = Array.from({ length: options.processes }, () => start(options));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const released = performance.now();
    for (const w of workers) w.child.stdin?.end('go\n');
    const reports = await Promise.all(workers.map((w) => w.done));
    return { reports, wallMs: performance.now() - released };
  } finally {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
}
