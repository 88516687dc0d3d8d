/**
 * After `close()` the process exits by itself: a child process runs a WebSocketClient against this process's
 * emulator; while its sockets are down it stays alive (and subscribes again), and after `close()` it ends on its own.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Emulator } from '../../../src/emulator/index.js';

it(
  'stays alive while every socket is down, subscribes again, then exits by itself after close()',
  { timeout: 30_000 },
  async () => {
    const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
    try {
      const { accessToken } = emu.mintUserToken({ userId: '1337', scopes: [] });
      const script = fileURLToPath(new URL('./fixtures/exit-after-close.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: {
          ...process.env,
          TR_EMULATOR_OPTIONS: JSON.stringify({ ...emu.clientOptions(), token: accessToken }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // The kill timer only bounds a hung child; it is not an assertion on time.
      const guard = setTimeout(() => child.kill(), 20_000);
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout === 'subscribed\n') emu.trigger({ type: 'stream.online' });
        if (stdout !== 'subscribed\nready\n') return;
        // Drop every socket at once from the server side: only the reconnect backoff is left pending.
        for (const session of emu.state().sessions) {
          if (session.status === 'connected') emu.closeSession(session.id, 4000);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(guard);
      expect(stdout).toBe('subscribed\nready\nresubscribed\nclosed\n');
      expect(code).toBe(0);
    } finally {
      await emu.close();
    }
  },
);
