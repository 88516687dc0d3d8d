/**
 * The output of `demo --fleet`: frames redrawn in place on a TTY (which process holds which shards, the takeover
 * after the SIGKILL), plain timestamped lines otherwise, and the summary.
 */
import type { TextSink } from '../../types.js';
import {
  countsLine,
  isTty,
  LiveView,
  plain,
  progressBar,
  pushDropped,
  pushRecent,
  seconds,
  type Style,
} from '../view.js';
import type { FleetResult, FleetSnapshot } from './scenario.js';

/** Header facts of a fleet run. */
export interface FleetViewHeader {
  readonly workers: number;
  readonly shards: number;
  readonly channels: number;
  readonly rate: number;
  readonly durationMs: number;
}

const MAX_SHARD_ROWS = 16;

function headerLine(h: FleetViewHeader): string {
  return `${String(h.workers)} processes · one conduit of ${String(h.shards)} shards · one Redis · ${String(h.channels)} channels · ${String(h.rate)} events/s`;
}

/** "w2 killed at 7.5 s: shards 4, 5 bound to survivors in 4.0 s" (or "…waiting"). */
export function takeoverLine(snapshot: Pick<FleetSnapshot, 'kills'>, startedAt = 0): string[] {
  return snapshot.kills.map((k) => {
    const shards = k.shards.length === 0 ? 'no shards' : `shards ${k.shards.join(', ')}`;
    const when = startedAt > 0 ? ` at ${seconds(k.at - startedAt)}` : '';
    return k.reboundMs >= 0
      ? `takeover: ${k.worker} killed (SIGKILL)${when}; its ${shards} bound to survivors in ${seconds(k.reboundMs)}`
      : `takeover: ${k.worker} killed (SIGKILL)${when}; its ${shards} not yet bound to survivors`;
  });
}

function stateColor(style: Style, state: string, width: number): string {
  const padded = state.padEnd(width);
  if (state === 'up' || state === 'enabled') return style.green(padded);
  if (state === 'starting' || state === 'stopped') return style.yellow(padded);
  return style.red(padded);
}

/** The lines of one frame. */
export function renderFleetFrame(
  snapshot: FleetSnapshot,
  header: FleetViewHeader,
  recent: readonly string[],
  style: Style = plain,
): string[] {
  const lines: string[] = [];
  lines.push(
    style.bold('twitch-realtime demo --fleet') + style.dim(` · local emulator · ${headerLine(header)}`),
  );
  lines.push('');
  lines.push(
    `  Traffic   ${progressBar(snapshot.runningMs, snapshot.durationMs)} ${seconds(snapshot.runningMs)} / ${seconds(snapshot.durationMs)}  ${style.dim(snapshot.phase)}`,
  );
  lines.push('');
  lines.push(style.dim('  process  pid       state     handled  shards'));
  for (const p of snapshot.processes) {
    lines.push(
      `  ${p.name.padEnd(7)}  ${String(p.pid).padEnd(8)}  ${stateColor(style, p.state, 8)}  ${String(p.handled).padStart(7)}  ${p.shards.join(', ') || '-'}${p.leader ? style.dim('  (leader)') : ''}`,
    );
  }
  lines.push('');
  if (snapshot.shards.length <= MAX_SHARD_ROWS) {
    lines.push(style.dim('  shard  status                  process  events'));
    for (const s of snapshot.shards) {
      lines.push(
        `  ${s.id.padEnd(5)}  ${stateColor(style, s.status, 22)}  ${(s.worker ?? '-').padEnd(7)}  ${String(s.events).padStart(6)}`,
      );
    }
    lines.push('');
  }
  lines.push(
    `  handled ${String(snapshot.handled)} of ${String(snapshot.sent)} sent · duplicates suppressed ${style.bold(String(snapshot.duplicatesSuppressed))}`,
  );
  for (const line of takeoverLine(snapshot)) lines.push(`  ${style.cyan(line)}`);
  pushRecent(lines, recent, style);
  return lines;
}

/** The summary; the first line is the single-process demo's exactly-once line. */
export function renderFleetSummary(result: FleetResult, style: Style = plain): string[] {
  const a = result.accounting;
  const lines = [countsLine(a, style)];
  lines.push(
    style.yellow(
      `in the killed process's socket at SIGKILL: ${String(a.inKilledSockets)} (written to it before it died and never reported: unrecoverable, Twitch does not redeliver them)`,
    ),
  );
  pushDropped(lines, a, style);
  lines.push(
    a.handledTwice === 0
      ? `handled twice: 0 fleet-wide`
      : style.red(`handled twice: ${String(a.handledTwice)} fleet-wide`),
  );
  for (const line of takeoverLine(result)) lines.push(line);
  if (result.replacement !== null) {
    lines.push(
      `replacement: ${result.replacement.name} serves shards ${result.replacement.shards.join(', ') || '(none)'}`,
    );
  }
  lines.push(
    `${String(result.workers)} processes · ${String(result.processesStarted)} started in all · ${String(result.shards)} shards · ${String(result.channels)} channels · Helix 429s ${String(a.rateLimited)} · duplicates injected ${String(a.duplicatesInjected)} · ${seconds(result.runningMs)} of traffic`,
  );
  lines.push(
    result.ok
      ? style.green(
          'exactly once: every event delivered to a live process reached a handler once, fleet-wide',
        )
      : style.red('FAILED: events were lost or handled twice'),
  );
  return lines;
}

/** Drives the output while a fleet scenario runs (frames on a TTY, plain lines otherwise). */
export class FleetView extends LiveView<FleetSnapshot, FleetResult> {
  readonly #header: FleetViewHeader;
  #lastPhase = '';
  #lastStatusAt = 0;

  constructor(out: TextSink, header: FleetViewHeader, tty = isTty(out)) {
    super(out, tty);
    this.#header = header;
  }

  protected override frame(snapshot: FleetSnapshot, recent: readonly string[]): string[] {
    return renderFleetFrame(snapshot, this.#header, recent, this.style);
  }

  protected override openingLine(): string {
    return `twitch-realtime demo --fleet: local emulator, ${headerLine(this.#header)}`;
  }

  protected override summary(result: FleetResult): string[] {
    return renderFleetSummary(result, this.style);
  }

  protected override plainTick(snapshot: FleetSnapshot): void {
    if (snapshot.phase !== this.#lastPhase) {
      this.#lastPhase = snapshot.phase;
      this.out.write(`${this.stamp()} ${snapshot.phase}\n`);
    }
    const now = Date.now();
    if (snapshot.phase !== 'running' || now - this.#lastStatusAt < 2000) return;
    this.#lastStatusAt = now;
    const processes = snapshot.processes
      .map((p) => `${p.name}${p.leader ? '*' : ''}:${p.state === 'up' ? p.shards.join(',') || '-' : p.state}`)
      .join(' ');
    this.out.write(
      `${this.stamp()} handled ${String(snapshot.handled)} of ${String(snapshot.sent)} sent · duplicates suppressed ${String(snapshot.duplicatesSuppressed)} · shards by process (* leader) ${processes}\n`,
    );
  }
}
