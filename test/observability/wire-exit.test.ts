/**
 * After `close()` the process exits by itself: a child runs a WebSocketClient, then a PubSubPool, each with the
 * observability option and a dashboard stream open on it (the stream, the ticker and the server all closed by the
 * client's `close()`).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// 30 s each: a child process (tsx compiles the fixture) that must exit by itself; its kill timeout is 20 s.
it.each(['websocket', 'pubsub'])(
  'lets the process exit by itself after close() (%s), a stream open',
  { timeout: 30_000 },
  async (kind) => {
    const script = fileURLToPath(new URL('./fixtures/wire-exit.ts', import.meta.url));
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      // The kill timeout only bounds a hung child; it is not an assertion on time.
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', script, kind],
        { timeout: 20_000 },
        (error, out, err) => {
          resolve({ code: error === null ? 0 : (child.exitCode ?? -1), stdout: out, stderr: err });
        },
      );
    });
    expect(stderr).toBe('');
    expect(stdout).toBe('closed\n');
    expect(code).toBe(0);
  },
);
