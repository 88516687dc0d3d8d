import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { main } from '../../src/cli/index.js';

function sink(): {
  write(chunk: string): boolean;
  text(): string;
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
} {
  let buf = '';
  const waiters: (() => void)[] = [];
  return {
    write(chunk: string) {
      buf += chunk;
      for (const w of waiters.splice(0)) w();
      return true;
    },
    text: () => buf,
    async waitFor(re: RegExp) {
      for (;;) {
        const m = re.exec(buf);
        if (m !== null) return m;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

describe('twitch-realtime CLI', () => {
  it('prints help and version', async () => {
    const out = sink();
    expect(await main(['--help'], { stdout: out })).toBe(0);
    expect(out.text()).toContain('emulator');
    const v = sink();
    expect(await main(['--version'], { stdout: v })).toBe(0);
    expect(v.text()).toMatch(/^\d+\.\d+\.\d+/);
    const help = sink();
    expect(await main(['emulator', '--help'], { stdout: help })).toBe(0);
    expect(help.text()).toContain('--port');
  });

  it('exits 2 on bad usage', async () => {
    for (const argv of [
      [],
      ['nope'],
      ['--bogus'],
      ['emulator', '--bogus'],
      ['emulator', '--port', '70000'],
      ['emulator', 'x'],
    ]) {
      const err = sink();
      expect(await main(argv, { stdout: sink(), stderr: err })).toBe(2);
      expect(err.text().length).toBeGreaterThan(0);
    }
  });

  it('runs the emulator until aborted, printing working URLs and credentials', async () => {
    const controller = new AbortController();
    const out = sink();
    const exit = main(['emulator', '--port', '0', '--host', '127.0.0.1'], {
      signal: controller.signal,
      stdout: out,
    });
    const [, base] = await out.waitFor(/Base URL\s+(\S+)/);
    const [, clientId] = await out.waitFor(/Client ID\s+(\S+)/);
    const [, secret] = await out.waitFor(/Client secret\s+(\S+)/);
    expect(out.text()).toContain(`${base!.replace('http', 'ws')}/ws`);
    expect(out.text()).toContain(`${base!.replace('http', 'ws')}/pubsub`);
    expect(out.text()).toContain(`${base!}/helix`);
    const res = await fetch(`${base!}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: clientId!,
        client_secret: secret!,
        grant_type: 'client_credentials',
      }),
    });
    expect(res.status).toBe(200);
    // The printed EventSub URL serves the EventSub WebSocket.
    const [, wsUrl] = await out.waitFor(/EventSub WS\s+(\S+)/);
    const welcome = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(wsUrl!);
      ws.once('message', (data: Buffer) => {
        resolve(data.toString());
        ws.close();
      });
      ws.once('error', reject);
    });
    expect(JSON.parse(welcome).metadata.message_type).toBe('session_welcome');
    controller.abort();
    expect(await exit).toBe(0);
    await expect(fetch(`${base!}/oauth2/validate`)).rejects.toThrow();
  });

  it('exits 1 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const err = sink();
    const controller = new AbortController();
    try {
      expect(
        await main(['emulator', '--port', String(port)], {
          stdout: sink(),
          stderr: err,
          signal: controller.signal,
        }),
      ).toBe(1);
      expect(err.text()).toContain('already in use');
    } finally {
      controller.abort();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('twitch-realtime emulator as a process', () => {
  it('stops cleanly on SIGINT and the process exits by itself', async () => {
    const { spawn } = await import('node:child_process');
    const script =
      "const m = await import('./src/cli/index.ts'); process.exitCode = await m.main(['emulator', '--port', '0']);";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Press Ctrl+C')) resolve();
      });
      child.once('exit', () => {
        reject(new Error(`exited early: ${out}`));
      });
    });
    const base = /Base URL\s+(\S+)/.exec(out)![1]!;
    expect((await fetch(`${base}/oauth2/validate`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
  });
});
