/**
 * After `close()` the process exits by itself: a child process runs a client against the emulator, closes it and
 * must end on its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

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
