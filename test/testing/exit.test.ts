/**
 * After `twitch.close()` a process that used the kit exits by itself, even when the test failed half-way and left
 * iterators, watches, streams, async triggers and waiting scenarios behind.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// 30 s: a child process (tsx compiles the fixture) that must exit by itself; its kill timeout is 20 s.
it(
  'lets the process exit by itself after close(), whatever the failed test left armed',
  { timeout: 30_000 },
  async () => {
    const script = fileURLToPath(new URL('./fixtures/kit-exit.ts', import.meta.url));
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      // The kill timeout only bounds a hung child; it is not an assertion on time.
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', script],
        { timeout: 20_000 },
        (error, out, err) => {
          resolve({ code: error === null ? 0 : (child.exitCode ?? -1), stdout: out, stderr: err });
        },
      );
    });
    expect(stderr).toBe('');
    expect(stdout).toBe('closed false\n');
    expect(code).toBe(0);
  },
);
