/**
 * Every example runs to completion against the emulator (spawned as a user would run it, importing the package by
 * name; the `twitch-realtime:source` condition picks the sources, so no build is needed), so they cannot rot.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runExample(name: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=twitch-realtime:source', '--import', 'tsx', `examples/${name}.ts`],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, out, err });
    });
  });
}

const expected: Record<string, RegExp[]> = {
  conduit: [/^conduit [0-9a-f-]+: shards 0, 1 ready$/m, /went live \(stream\.online\)$/m],
  pubsub: [/^bits: .+ cheered \d+$/m, /^channel points: .+ redeemed ".+"$/m],
  webhook: [
    /^shard 0 ready over websocket$/m,
    /^shard 1 ready over webhook$/m,
    /went live \(shard 1\)$/m,
    /went live \(shard 0\)$/m,
  ],
  'websocket-client': [
    /^socket 1337#0 ready$/m,
    /^subscribed to channel\.follow on 1337#0$/m,
    /^socket 1337#0 reconnected \(reconnect\)$/m,
    /^socket 1337#0: 1 subscriptions created again, 0 failed$/m,
    /^socket 1337#0 reconnected \(handover\)$/m,
  ],
  bot: [
    /^mybot: sides: expected a whole number from 2 to 100, got "many" \(reply to aviewer\)$/m,
    /^mybot: rolled \d+ \(d20\) \(reply to aviewer\)$/m,
    /^mybot: dice is on cooldown, try again in \d+ s \(reply to aviewer\)$/m,
    /^mybot: you cannot use clear \(moderator only\) \(reply to aviewer\)$/m,
  ],
  helix: [
    /^user: somechannel \(id 1337\)$/m,
    /^subscription [0-9a-f-]+: enabled, cost 0\/10000$/m,
    /^refused before sending: INVALID_ARGUMENT$/m,
    /^Twitch answered 404: /m,
  ],
};

for (const [name, patterns] of Object.entries(expected)) {
  // 40 s: each example is a child process (tsx compiles it first), bounded by the 30 s kill timeout of runExample.
  it(`examples/${name}.ts runs to completion and exits by itself`, { timeout: 40_000 }, async () => {
    const { code, out, err } = await runExample(name);
    expect(err).toBe('');
    expect(readFileSync(new URL(`../../examples/${name}.ts`, import.meta.url), 'utf8')).not.toMatch(
      /from '\.\.?\//,
    );
    for (const pattern of patterns) expect(out).toMatch(pattern);
    expect(code).toBe(0);
  });
}
