/**
 * After `close()` the process exits by itself: a child runs an AutoClient with the observability option and a
 * dashboard stream open on it (the stream, the ticker and the server all closed by the client's `close()`).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// 30 s: a child process (tsx compiles the fixture) that must exit by itself; its kill timeout is 20 s.
it('lets the process exit by itself after close(), a stream open', { timeout: 30_000 }, async () => {
  const script = fileURLToPath(new URL('./fixtures/server-exit.ts', import.meta.url));
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
  expect(stdout).toBe('closed\n');
  expect(code).toBe(0);
});
