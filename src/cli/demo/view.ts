/**
 * The demo's terminal output: a live view redrawn in place (ANSI, at most 10 frames per second) when stdout is a
 * TTY, and plain timestamped lines otherwise (CI, pipes). No dependencies.
 */
import type { TextSink } from '../types.js';
import type { Accounting } from './ledger.js';
import { TYPE_LABELS, type ScenarioResult, type ScenarioSnapshot } from './scenario.js';

/** Header facts shown above the view. */
export interface ViewHeader {
  readonly shards: number;
  readonly channels: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly faults: boolean;
  readonly pubsub: boolean;
  /** Shards served by webhook (0: all WebSocket). */
  readonly webhookShards?: number;
}

function transports(header: ViewHeader, sep: string): string {
  const hooks = header.webhookShards ?? 0;
  return hooks > 0 ? `${sep}${String(hooks)} of them webhooks` : '';
}

const ESC = '\u001b[';
const RECENT_LINES = 6;
const BAR_WIDTH = 24;
const MAX_SHARD_ROWS = 8;
// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Terminal rows a line takes once wrapped at `columns`. */
export function rowsOf(line: string, columns: number): number {
  const visible = line.replace(ANSI_PATTERN, '').length;
  return Math.max(1, Math.ceil(visible / Math.max(1, columns)));
}

/** Text styles of the views (ANSI on a TTY, none otherwise). */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** ANSI styles. */
export const ansi: Style = {
  bold: (t) => `${ESC}1m${t}${ESC}22m`,
  dim: (t) => `${ESC}2m${t}${ESC}22m`,
  green: (t) => `${ESC}32m${t}${ESC}39m`,
  red: (t) => `${ESC}31m${t}${ESC}39m`,
  yellow: (t) => `${ESC}33m${t}${ESC}39m`,
  cyan: (t) => `${ESC}36m${t}${ESC}39m`,
};
/** No styling. */
export const plain: Style = {
  bold: (t) => t,
  dim: (t) => t,
  green: (t) => t,
  red: (t) => t,
  yellow: (t) => t,
  cyan: (t) => t,
};

/** `[██████░░░░] 6/10` */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const ratio = total <= 0 ? 1 : Math.max(0, Math.min(1, done / total));
  const full = Math.round(ratio * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** `12.3 s` */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Per-type event rates over the last second or so, from cumulative counts. */
export class RateMeter {
  #last = new Map<string, number>();
  #lastAt = 0;
  #rates = new Map<string, number>();

  /** Feeds cumulative counts; recomputes rates when at least `minMs` passed since the last computation. */
  update(counts: ReadonlyMap<string, number>, now: number, minMs = 1000): ReadonlyMap<string, number> {
    if (this.#lastAt === 0) {
      this.#last = new Map(counts);
      this.#lastAt = now;
      return this.#rates;
    }
    const span = now - this.#lastAt;
    if (span < minMs) return this.#rates;
    const rates = new Map<string, number>();
    for (const [label, count] of counts)
      rates.set(label, ((count - (this.#last.get(label) ?? 0)) * 1000) / span);
    this.#rates = rates;
    this.#last = new Map(counts);
    this.#lastAt = now;
    return rates;
  }
}

function stateColor(style: Style, state: string): string {
  const padded = state.padEnd(12);
  if (state === 'connected' || state === 'webhook') return style.green(padded);
  if (state === 'stalled') return style.yellow(padded);
  return style.red(padded);
}

/** The lines of one frame of the live view. */
export function renderFrame(
  snapshot: ScenarioSnapshot,
  header: ViewHeader,
  rates: ReadonlyMap<string, number>,
  recent: readonly string[],
  style: Style = plain,
): string[] {
  const lines: string[] = [];
  lines.push(
    style.bold('twitch-realtime demo') +
      style.dim(
        ` · local emulator · ${String(header.shards)} shards${transports(header, ' · ')} · ${String(header.channels)} channels · ${String(header.rate)} events/s · faults ${header.faults ? 'on' : 'off'}${header.pubsub ? ' · PubSub' : ''}`,
      ),
  );
  lines.push('');
  lines.push(
    `  Shards         ${progressBar(snapshot.shardsReady, snapshot.shardsTotal)} ${String(snapshot.shardsReady)}/${String(snapshot.shardsTotal)} connected`,
  );
  const subs =
    snapshot.subscriptionsTotal === 0
      ? `${progressBar(0, 1)} waiting for the shards`
      : `${progressBar(snapshot.subscriptionsSettled, snapshot.subscriptionsTotal)} ${String(snapshot.subscriptionsSettled)}/${String(snapshot.subscriptionsTotal)} created${snapshot.subscriptionErrors > 0 ? style.red(` (${String(snapshot.subscriptionErrors)} failed)`) : ''}`;
  const paced =
    snapshot.phase === 'subscribing' && snapshot.elapsedMs > 3000
      ? style.dim('  (Helix rate limit: 800/min)')
      : '';
  lines.push(`  Subscriptions  ${subs}${paced}`);
  lines.push(
    `  Traffic        ${progressBar(snapshot.runningMs, snapshot.durationMs)} ${seconds(snapshot.runningMs)} / ${seconds(snapshot.durationMs)}${snapshot.phase === 'draining' ? style.dim('  draining…') : ''}`,
  );
  lines.push('');
  if (snapshot.shards.length <= MAX_SHARD_ROWS) {
    lines.push(style.dim('  shard  state         events  reconnects'));
    for (const shard of snapshot.shards) {
      lines.push(
        `  ${shard.id.padEnd(5)}  ${stateColor(style, shard.state)} ${String(shard.events).padStart(7)}  ${String(shard.reconnects).padStart(10)}`,
      );
    }
  } else {
    const byState = new Map<string, number>();
    for (const shard of snapshot.shards) byState.set(shard.state, (byState.get(shard.state) ?? 0) + 1);
    const parts = [...byState].map(([state, n]) => `${stateColor(style, state).trimEnd()} ${String(n)}`);
    lines.push(`  shards    ${parts.join(' · ')}`);
  }
  lines.push('');
  const perType = TYPE_LABELS.map((label) => `${label} ${String(Math.round(rates.get(label) ?? 0))}`);
  let total = 0;
  for (const rate of rates.values()) total += rate;
  lines.push(`  events/s  ${style.cyan(String(Math.round(total)))}  ${style.dim(perType.join(' · '))}`);
  const r = snapshot.reconnects;
  lines.push(
    `  handled ${String(snapshot.handled)} of ${String(snapshot.sent)} sent · duplicates suppressed ${style.bold(String(snapshot.duplicatesSuppressed))}`,
  );
  lines.push(
    `  reconnects survived ${style.bold(String(r.drops + r.handovers))} (disconnects ${String(r.drops)}, handovers ${String(r.handovers)}, stalls caught ${String(r.stalls)}) · Helix errors injected ${String(snapshot.helixErrorsInjected)}`,
  );
  if (snapshot.pubsub !== null) {
    lines.push(
      `  PubSub    published ${String(snapshot.pubsub.published)} · received ${String(snapshot.pubsub.received)}`,
    );
  }
  pushRecent(lines, recent, style);
  return lines;
}

/** Appends a frame's "recent" box: a blank line, then the last notable happenings (blank lines when fewer). */
export function pushRecent(lines: string[], recent: readonly string[], style: Style): void {
  lines.push('');
  for (let i = 0; i < RECENT_LINES; i++) lines.push(style.dim(`  ${recent[i] ?? ''}`));
}

/** The summary printed at the end; the first line is the exactly-once line. */
export function renderSummary(result: ScenarioResult, style: Style = plain): string[] {
  const a = result.accounting;
  const lines = [countsLine(a, style)];
  pushDropped(lines, a, style);
  if (a.handledTwice > 0) lines.push(style.red(`handled twice: ${String(a.handledTwice)}`));
  const f = result.faults;
  const closes = Object.entries(f.closes)
    .map(([code, n]) => `${code}×${String(n)}`)
    .join(' ');
  lines.push(
    `faults: ${closes === '' ? 'no shard drops' : `shard drops ${closes}`} · session_reconnect ${String(f.handovers)} · keepalive stalls ${String(f.stalls)} (detected ${String(f.stallsDetected)}) · duplicates injected ${String(f.duplicatesInjected)} · Helix errors ${String(f.helixErrors)}${f.webhookFailures > 0 ? ` · webhook deliveries failed ${String(f.webhookFailures)} (retried)` : ''}`,
  );
  lines.push(
    `reconnects survived ${String(result.reconnectsSurvived)} · ${String(result.shards)} shards · ${String(result.channels)} channels · ${String(result.subscriptions.created)} subscriptions${result.subscriptions.failed > 0 ? ` (${String(result.subscriptions.failed)} failed)` : ''} · ${seconds(result.runningMs)} of traffic`,
  );
  if (result.pubsub !== null) {
    const p = result.pubsub;
    lines.push(
      `PubSub: published ${String(p.reached)} · received ${String(p.received)} · lost ${String(p.lost)} · ${String(f.pubsubReconnects)} RECONNECTs survived`,
    );
  }
  lines.push(
    result.ok
      ? style.green('exactly once: every delivered event reached its handler once')
      : style.red('FAILED: events were lost or handled twice'),
  );
  return lines;
}

/** The summary's first line: sent, delivered, suppressed, lost (green when 0). */
export function countsLine(a: Accounting, style: Style): string {
  const lost = a.lost === 0 ? style.green('lost 0') : style.red(`lost ${String(a.lost)}`);
  return (
    style.bold(
      `sent ${String(a.sent)} · delivered ${String(a.handled)} · duplicates suppressed ${String(a.duplicatesSuppressed)} · `,
    ) + lost
  );
}

/** Appends the summary's line about what the emulator could not route, when it dropped any. */
export function pushDropped(lines: string[], a: Accounting, style: Style): void {
  if (a.droppedBySender > 0) {
    lines.push(
      style.yellow(
        `the emulator dropped ${String(a.droppedBySender)} with no enabled shard to send them to (not a client loss)`,
      ),
    );
  }
}

/** Whether a sink is an interactive terminal. */
export function isTty(sink: TextSink): boolean {
  return sink.isTTY === true;
}

/**
 * What both demos' views share: the "recent" box on a TTY or timestamped lines otherwise, the cursor hidden while
 * frames are redrawn in place every 100 ms, a plain tick every 250 ms, and the summary at the end. A subclass says
 * what a frame, the plain opening line, a plain tick and the summary are.
 */
export abstract class LiveView<S extends { readonly elapsedMs: number }, R> {
  protected readonly out: TextSink;
  protected readonly style: Style;
  readonly #tty: boolean;
  readonly #recent: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #drawn = 0;
  #source: (() => S) | undefined;

  constructor(out: TextSink, tty: boolean) {
    this.out = out;
    this.#tty = tty;
    this.style = tty ? ansi : plain;
  }

  /** A notable happening: a line of its own (plain) or in the "recent" box (TTY). */
  log(line: string): void {
    if (this.#tty) {
      this.#recent.push(line);
      if (this.#recent.length > RECENT_LINES) this.#recent.shift();
    } else {
      this.out.write(`${this.stamp()} ${line}\n`);
    }
  }

  /** Starts rendering snapshots from `source`. */
  start(source: () => S): void {
    this.#source = source;
    if (this.#tty) {
      this.out.write(`${ESC}?25l`);
      this.#timer = setInterval(() => {
        this.#draw();
      }, 100);
    } else {
      this.out.write(`${this.openingLine()}\n`);
      this.#timer = setInterval(() => {
        this.#plainTick();
      }, 250);
    }
  }

  /** Stops rendering (draws a last frame on a TTY) and prints the summary. */
  finish(result: R | null): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) {
      if (this.#source !== undefined) this.#draw();
      this.out.write(`${ESC}?25h`);
    }
    if (result !== null) this.out.write(`\n${this.summary(result).join('\n')}\n`);
  }

  /** The frame's lines for `snapshot`, with the "recent" box's lines. */
  protected abstract frame(snapshot: S, recent: readonly string[]): string[];
  /** The first plain line (no newline). */
  protected abstract openingLine(): string;
  /** Writes whatever plain lines `snapshot` calls for. */
  protected abstract plainTick(snapshot: S): void;
  /** The summary's lines. */
  protected abstract summary(result: R): string[];

  /** "[   1.5 s]": the run's elapsed time, for a plain line. */
  protected stamp(): string {
    const elapsed = this.#source?.().elapsedMs ?? 0;
    return `[${seconds(elapsed).padStart(7)}]`;
  }

  #draw(): void {
    const source = this.#source;
    if (source === undefined) return;
    const lines = this.frame(source(), this.#recent);
    const up = this.#drawn > 0 ? `${ESC}${String(this.#drawn)}F` : '';
    this.out.write(`${up}${ESC}J${lines.join('\n')}\n`);
    const columns = (this.out as { columns?: unknown }).columns;
    const width = typeof columns === 'number' && columns > 0 ? columns : 80;
    this.#drawn = lines.reduce((rows, line) => rows + rowsOf(line, width), 0);
  }

  #plainTick(): void {
    const source = this.#source;
    if (source !== undefined) this.plainTick(source());
  }
}

/**
 * Drives the output while a scenario runs: frames on a TTY (redrawn in place every 100 ms), or plain lines (phase
 * changes, notable happenings, a status line every 2 s).
 */
export class DemoView extends LiveView<ScenarioSnapshot, ScenarioResult> {
  readonly #header: ViewHeader;
  readonly #rates = new RateMeter();
  #lastPhase = '';
  #lastRates: ReadonlyMap<string, number> | undefined;
  #lastProgressAt = 0;

  constructor(out: TextSink, header: ViewHeader, tty = isTty(out)) {
    super(out, tty);
    this.#header = header;
  }

  protected override frame(snapshot: ScenarioSnapshot, recent: readonly string[]): string[] {
    const rates = this.#rates.update(snapshot.byType, Date.now());
    return renderFrame(snapshot, this.#header, rates, recent, this.style);
  }

  protected override openingLine(): string {
    const h = this.#header;
    return `twitch-realtime demo: local emulator, ${String(h.shards)} shards${transports(h, ', ')}, ${String(h.channels)} channels, ${String(h.rate)} events/s for ${seconds(h.durationMs)}, faults ${h.faults ? 'on' : 'off'}${h.pubsub ? ', PubSub' : ''}`;
  }

  protected override summary(result: ScenarioResult): string[] {
    return renderSummary(result, this.style);
  }

  protected override plainTick(snapshot: ScenarioSnapshot): void {
    const rates = this.#rates.update(snapshot.byType, Date.now(), 2000);
    const now = Date.now();
    if (snapshot.phase !== this.#lastPhase) {
      this.#lastPhase = snapshot.phase;
      this.#lastProgressAt = now;
      this.out.write(`${this.stamp()} ${phaseLine(snapshot)}\n`);
      return;
    }
    if (snapshot.phase === 'subscribing' && now - this.#lastProgressAt >= 2000) {
      // Large runs are paced by Helix's rate limit (800 points a minute): show that it moves.
      this.#lastProgressAt = now;
      this.out.write(
        `${this.stamp()} subscriptions ${String(snapshot.subscriptionsSettled)}/${String(snapshot.subscriptionsTotal)} (paced by the Helix rate limit)\n`,
      );
      return;
    }
    if (snapshot.phase === 'running' && rates.size > 0 && rates !== this.#lastRates) {
      this.#lastRates = rates;
      this.#plainStatus(snapshot, rates);
    }
  }

  #plainStatus(snapshot: ScenarioSnapshot, rates: ReadonlyMap<string, number>): void {
    let total = 0;
    for (const rate of rates.values()) total += rate;
    const r = snapshot.reconnects;
    const states = snapshot.shards.map((s) => `${s.id}:${s.state}`).join(' ');
    this.out.write(
      `${this.stamp()} ${String(Math.round(total))} events/s · handled ${String(snapshot.handled)} of ${String(snapshot.sent)} sent · reconnects survived ${String(r.drops + r.handovers)} · duplicates suppressed ${String(snapshot.duplicatesSuppressed)} · shards ${states}\n`,
    );
  }
}

function phaseLine(snapshot: ScenarioSnapshot): string {
  switch (snapshot.phase) {
    case 'starting':
      return 'starting the emulator';
    case 'connecting':
      return `connecting ${String(snapshot.shardsTotal)} shards`;
    case 'subscribing':
      return `shards ${String(snapshot.shardsReady)}/${String(snapshot.shardsTotal)} ready; creating subscriptions`;
    case 'running':
      return `subscriptions ${String(snapshot.subscriptionsSettled)}/${String(snapshot.subscriptionsTotal)} created${snapshot.subscriptionErrors > 0 ? ` (${String(snapshot.subscriptionErrors)} failed)` : ''}; traffic running`;
    case 'draining':
      return 'traffic stopped; waiting for the last events';
    case 'done':
      return 'done';
  }
}
