/**
 * Dedupe across real processes: three child processes, each with its own RedisDedupeStore and connection, race to
 * judge the same 3,000 ids (in different orders, started together) on one redis-server of the test's own. Every id is
 * new to exactly one process (how the ids split between them depends on timing, so it is not asserted); each process
 * exits by itself once it closes its connection.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redis.js';

let server: TestRedis;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

const IDS = 3000;

it(
  'three processes judging the same ids at once: each id is new to exactly one of them',
  { timeout: 30_000 },
  async () => {
    const script = fileURLToPath(new URL('./fixtures/dedupe-worker.ts', import.meta.url));
    const children = ['asc', 'desc', 'odd-first'].map((order) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: { ...process.env, TR_REDIS_URL: server.url, TR_IDS: String(IDS), TR_ORDER: order },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      // Only bounds a hung child; not an assertion on time.
      const guard = setTimeout(() => child.kill(), 25_000);
      let stdout = '';
      child.stdout.setEncoding('utf8');
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.startsWith('ready\n')) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(() => {
        clearTimeout(guard);
      });
      return { child, ready, exited, output: () => stdout };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.end('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual([0, 0, 0]);
    const news = children.map((c) => JSON.parse(c.output().split('\n')[1] ?? '[]') as string[]);
    const all = news.flat();
    expect(all).toHaveLength(IDS);
    expect(new Set(all).size).toBe(IDS);
  },
);
