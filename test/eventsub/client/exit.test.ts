/**
 * After `close()` the process exits by itself: a child process runs a client against the emulator, closes it and
 * must end on its own. While it runs (even with every socket down) the process stays alive.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { startEmulator } from '../../support/emulator.js';

// 30 s (both tests): a child process (tsx compiles the fixture) that must exit by itself; its kill timeout is 20 s.
it('lets the process exit by itself after close()', { timeout: 30_000 }, async () => {
  const script = fileURLToPath(new URL('./fixtures/exit-after-close.ts', import.meta.url));
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    // The kill timeout only bounds a hung child; it is not an assertion on time.
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', script],
      { timeout: 20_000 },
      (error, out) => {
        resolve({ code: error === null ? 0 : (child.exitCode ?? -1), stdout: out });
      },
    );
  });
  expect(stdout).toBe('closed 1\n');
  expect(code).toBe(0);
});

it(
  'keeps a running client alive while every shard socket is down, then exits by itself after close()',
  {
    timeout: 30_000,
  },
  async () => {
    const emu = await startEmulator();
    try {
      const script = fileURLToPath(new URL('./fixtures/reconnect-while-down.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: { ...process.env, TR_EMULATOR_OPTIONS: JSON.stringify({ ...emu.clientOptions() }) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // The kill timer only bounds a hung child; it is not an assertion on time.
      const guard = setTimeout(() => child.kill(), 20_000);
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (!stdout.startsWith('ready\n') || stdout.length !== 'ready\n'.length) return;
        // Drop every shard socket at once from the server side: only the reconnect backoff is left pending.
        for (const session of emu.state().sessions) {
          if (session.status === 'connected') emu.closeSession(session.id, 4000);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(guard);
      expect(stdout).toBe('ready\nrebound\nclosed\n');
      expect(code).toBe(0);
    } finally {
      await emu.close();
    }
  },
);
