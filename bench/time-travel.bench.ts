/**
 * Time travel on one `TestClock` (issue 18): what jumping 72 h costs.
 *
 * - Idle emulator (a conduit without an enabled shard, nothing connected), `clock.advance(72 h)`: timers fired
 *   (the sweep arms itself for its next deadline: the 72 h conduit expiry, not every `sweepIntervalMs`) and wall
 *   time. Baseline: a timer re-armed every 500 ms (the default sweep period) on the same clock for 72 h, which is
 *   what a fixed-period sweep would cost (518,400 fires) even with an empty sweep.
 * - One connected AutoClient (2 WebSocket shards, keepalives every ~9.5 s, pings every 5 s, watchdogs) on the same
 *   clock, `await clock.tickAsync(1 h)`: wall time, timers fired. The sockets talk between timers (pongs,
 *   keepalives), so this is bounded by event-loop turns, not by the clock.
 */
import { AutoClient } from '../src/eventsub/conduit/index.js';
import { Emulator } from '../src/emulator/index.js';
import { TestClock } from '../src/testing/index.js';
import { boundFigure, type BenchFigure } from './harness.js';

const HOUR = 3600_000;

/** A TestClock that counts the timers it fires. */
class CountingClock extends TestClock {
  fired = 0;
  override setTimeout(fn: () => void, ms: number) {
    return super.setTimeout(() => {
      this.fired++;
      fn();
    }, ms);
  }
}

async function idle72h(): Promise<{ fired: number; ms: number }> {
  const clock = new CountingClock();
  const emu = await Emulator.start({ port: 0, clock });
  try {
    const { accessToken } = emu.mintAppToken();
    const res = await fetch(`${emu.clientOptions().helixUrl}/eventsub/conduits`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${accessToken}`,
        'Client-Id': emu.clientId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ shard_count: 10 }),
    });
    if (res.status !== 200) throw new Error(`create conduit: ${String(res.status)}`);
    clock.fired = 0;
    const started = performance.now();
    clock.advance(72 * HOUR);
    const ms = performance.now() - started;
    if (emu.state().conduits.length !== 0) throw new Error('the conduit did not expire');
    return { fired: clock.fired, ms };
  } finally {
    await emu.close();
  }
}

function fixedPeriod72h(): { fired: number; ms: number } {
  const clock = new CountingClock();
  let sweeps = 0;
  const sweep = (): void => {
    sweeps++;
    clock.setTimeout(sweep, 500);
  };
  clock.setTimeout(sweep, 500);
  const started = performance.now();
  clock.advance(72 * HOUR);
  return { fired: sweeps, ms: performance.now() - started };
}

async function connectedHour(): Promise<{ fired: number; ms: number }> {
  const clock = new CountingClock();
  const emu = await Emulator.start({ port: 0, clock });
  const client = new AutoClient({
    ...emu.clientOptions(),
    clock,
    session: { clock },
    reconcileIntervalMs: 0,
  });
  try {
    let lost = 0;
    client.on('shardDisconnected', () => lost++);
    await client.start();
    clock.fired = 0;
    const started = performance.now();
    await clock.tickAsync(HOUR);
    const ms = performance.now() - started;
    if (lost !== 0) throw new Error(`${String(lost)} shard(s) lost during the hour`);
    return { fired: clock.fired, ms };
  } finally {
    await client.close();
    await emu.close();
  }
}

export async function run(): Promise<BenchFigure[]> {
  const idle = await idle72h();
  const fixed = fixedPeriod72h();
  const hour = await connectedHour();
  return [
    boundFigure('time travel: idle emulator, advance(72 h): timers fired', idle.fired, 'timers', { max: 20 }),
    boundFigure('time travel: idle emulator, advance(72 h): wall time', idle.ms, 'ms', { max: 100 }),
    boundFigure('time travel: fixed 500 ms sweep over 72 h (baseline): fires', fixed.fired, 'timers', {}),
    boundFigure('time travel: fixed 500 ms sweep over 72 h (baseline): wall time', fixed.ms, 'ms', {}),
    boundFigure('time travel: AutoClient (2 shards), tickAsync(1 h): timers fired', hour.fired, 'timers', {}),
    boundFigure('time travel: AutoClient (2 shards), tickAsync(1 h): wall time', hour.ms, 'ms', {
      max: 10_000,
    }),
  ];
}
