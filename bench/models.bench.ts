/**
 * Wire → model conversion cost, per event, over the 82 fixture events of data/eventsub-examples.json.
 *
 * For each fixture event: the median time of `toEventModel(type, version, event)` (the dispatch path the client
 * uses: table lookup, field checks, Dates, nested sub-models, non-enumerable raw) and, in the same run and
 * interleaved, the median time of a deep copy `JSON.parse(JSON.stringify(event))`. The figure is the median over
 * events; the ratio is baseline / ours (>= 1.0: converting costs no more than a deep copy).
 */
import { readFileSync } from 'node:fs';
import { toEventModel, toNotification } from '../src/catalogue/events.js';
import type { WireNotificationPayload } from '../src/catalogue/events.js';
import { boundFigure, median } from './harness.js';
import type { BenchFigure } from './harness.js';

interface Example {
  type: string;
  version: string;
  notification: (WireNotificationPayload & { event?: unknown; events?: unknown[] }) | null;
}

const ITERATIONS = 2_000;
const SAMPLES = 7;

function load(): {
  type: string;
  version: string;
  event: unknown;
  payload: WireNotificationPayload | null;
}[] {
  const file = new URL('../data/eventsub-examples.json', import.meta.url);
  const { examples } = JSON.parse(readFileSync(file, 'utf8')) as { examples: Example[] };
  const hold2 = examples.find((e) => e.type === 'automod.message.hold' && e.version === '2');
  return examples.map((ex) => {
    let event = ex.notification ? (ex.notification.events ?? ex.notification.event) : undefined;
    // automod.message.update v2 has no documented example: the v2 hold event plus moderator and status.
    if (event === undefined && hold2?.notification?.event) {
      event = {
        ...hold2.notification.event,
        moderator_user_id: '1',
        moderator_user_login: 'm',
        moderator_user_name: 'M',
        status: 'Approved',
      };
    }
    return { type: ex.type, version: ex.version, event, payload: ex.notification };
  });
}

let sink = 0;

function timeConvert(type: string, version: string, event: unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const m = toEventModel(type, version, event);
    if (m !== undefined) sink += m.type.length;
  }
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

function timeDeepCopy(event: unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const copy = JSON.parse(JSON.stringify(event)) as object | null;
    if (copy !== null) sink += 1;
  }
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

function timeNotification(payload: WireNotificationPayload): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const n = toNotification('id', '2024-01-01T00:00:00.123456789Z', payload);
    sink += n.type.length;
  }
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

/** Runs the benchmark. */
export function run(): Promise<BenchFigure[]> {
  const events = load();
  // Warm-up: let the JIT see every converter and the baseline.
  for (const e of events) {
    timeConvert(e.type, e.version, e.event);
    timeDeepCopy(e.event);
  }
  const ours: number[] = [];
  const baseline: number[] = [];
  const envelope: number[] = [];
  for (const e of events) {
    const a: number[] = [];
    const b: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      a.push(timeConvert(e.type, e.version, e.event));
      b.push(timeDeepCopy(e.event));
    }
    ours.push(median(a));
    baseline.push(median(b));
    if (e.payload) envelope.push(timeNotification(e.payload));
  }
  if (sink === 42) console.log('');
  const oursNs = median(ours);
  const baseNs = median(baseline);
  const ratio = baseNs / oursNs;
  return Promise.resolve([
    {
      figure: 'wire→model conversion, median ns/event (baseline: JSON deep copy)',
      value: oursNs,
      baseline: baseNs,
      unit: 'ns/event',
      ratio,
      target: 'ratio >= 1.0',
      pass: ratio >= 1,
    },
    boundFigure('notification envelope + model, median ns/notification', median(envelope), 'ns', {
      max: 20_000,
    }),
  ]);
}
