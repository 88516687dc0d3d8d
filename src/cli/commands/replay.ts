/**
 * `twitch-realtime replay <file>`: replays a recording into an emulator. By default it starts one, prints where it
 * listens and the client options, authorizes the users the recording's conditions name, waits until subscriptions
 * matching the recording exist (your client under test creates them), replays, prints the summary and stops.
 * `--emulator <url>` replays into a running emulator instead (`POST /_emulator/replay`).
 */
import { errorMessage, isRecord } from '../../core/guards.js';
import { getCatalogueEntry } from '../../catalogue/table.js';
import { Emulator } from '../../emulator/emulator.js';
import type { ReplayResult } from '../../emulator/eventsub/replay.js';
import type { RecordedNotification, RecordingLine } from '../../protocol/recording.js';
import { readRecording } from '../../testing/record.js';
import { integerOption, parseCommandLine } from '../args.js';
import { describeError } from '../credentials.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';
import { describeEndpoints } from './emulator.js';
import { whenAborted, pauseUnlessAborted } from '../waits.js';

const HELP = `Usage: twitch-realtime replay <file> [options]

Replays a recording (twitch-realtime record, or record() of twitch-realtime/testing) into the emulator: each
notification with its original message id, event and message_timestamp, to the subscriptions of the same type,
version and condition. Starts an emulator, prints its URL and the client options, authorizes the users the
recording names, waits until your client has created subscriptions matching the recording, replays at the recorded
pace and prints a summary (delivered, unmatched); the emulator then runs until Ctrl+C (your client keeps its
sockets), or with --exit closes and exits: 0 when every notification was delivered, 1 when some were unmatched or
dropped (for scripts and CI).

Options:
  --speed <n>            n times faster than recorded (1..1000000, default 1)
  --fast                 As fast as possible
  --fresh-timestamps     New message_timestamps (a client drops notifications older than its maxMessageAgeMs,
                         10 minutes by default: use this for older recordings)
  --emulator <url>       Replay into a running emulator instead (its control API); nothing started
  --port <n>             Port of the emulator started (default 8080; 0 picks a free port)
  --exit                 Close the emulator and exit once the replay is done (exit 1 if any notification was
                         unmatched or dropped); with --emulator, the exit code follows the same rule
  --wait <s>             Seconds to wait for matching subscriptions, then replay anyway (default: until they exist
                         or Ctrl+C)
  -h, --help             Show this help
`;

const OPTIONS = {
  speed: { type: 'string' },
  fast: { type: 'boolean' },
  'fresh-timestamps': { type: 'boolean' },
  emulator: { type: 'string' },
  port: { type: 'string' },
  wait: { type: 'string' },
  exit: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A subscription the recording needs: type, version and condition. */
interface Needed {
  readonly type: string;
  readonly version: string;
  readonly condition: Readonly<Record<string, string>>;
}

function keyOf(n: Needed): string {
  const condition = Object.entries(n.condition)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${n.type}@${n.version}:${JSON.stringify(condition)}`;
}

/** The distinct subscriptions of the recording's notifications. */
function neededOf(lines: readonly RecordingLine[]): Map<string, Needed> {
  const out = new Map<string, Needed>();
  for (const line of lines) {
    if (line.kind !== 'notification') continue;
    const n: Needed = { type: line.type, version: line.version, condition: line.subscription.condition };
    out.set(keyOf(n), n);
  }
  return out;
}

/** How many of `needed` an emulator's state (its `subscriptions`, enabled) covers. */
function covered(needed: ReadonlyMap<string, Needed>, state: unknown): number {
  const have = new Set<string>();
  const subs =
    isRecord(state) && Array.isArray(state.subscriptions) ? (state.subscriptions as unknown[]) : [];
  for (const sub of subs) {
    if (!isRecord(sub) || sub.status !== 'enabled' || !isRecord(sub.condition)) continue;
    if (typeof sub.type !== 'string' || typeof sub.version !== 'string') continue;
    have.add(
      keyOf({ type: sub.type, version: sub.version, condition: sub.condition as Record<string, string> }),
    );
  }
  let n = 0;
  for (const key of needed.keys()) if (have.has(key)) n++;
  return n;
}

/** Mints a token for every user the recording's conditions name, with the scopes its types require. */
function authorize(emu: Emulator, needed: ReadonlyMap<string, Needed>): number {
  const scopes = new Map<string, Set<string>>();
  for (const n of needed.values()) {
    // Every user a condition names must exist (a broadcaster of stream.online needs no grant, but an account).
    for (const [key, value] of Object.entries(n.condition)) {
      if (key.endsWith('user_id') && value !== '' && !scopes.has(value)) scopes.set(value, new Set());
    }
    const entry = getCatalogueEntry(n.type, n.version);
    if (entry === undefined) continue;
    for (const req of [...entry.authorization.scopes, ...(entry.authorization.appTokenExtra ?? [])]) {
      const user = req.user === null ? undefined : n.condition[req.user];
      if (user === undefined || user === '') continue;
      const set = scopes.get(user) ?? new Set<string>();
      for (const group of req.allOf) if (group[0] !== undefined) set.add(group[0]);
      scopes.set(user, set);
    }
  }
  for (const [userId, set] of scopes) emu.mintUserToken({ userId, scopes: [...set] });
  return scopes.size;
}

/** Polls `state()` until every needed subscription exists, the deadline passes or the signal aborts. */
async function waitForSubscriptions(
  needed: ReadonlyMap<string, Needed>,
  state: () => Promise<unknown>,
  deadline: number | undefined,
  context: CliContext,
): Promise<number> {
  let last = -1;
  for (;;) {
    const n = covered(needed, await state());
    if (n !== last) {
      context.stdout.write(
        `replay: ${String(n)} of ${String(needed.size)} subscriptions of the recording exist\n`,
      );
      last = n;
    }
    if (n === needed.size || context.signal.aborted) return n;
    if (deadline !== undefined && Date.now() >= deadline) return n;
    await pauseUnlessAborted(100, context.signal);
  }
}

function summary(result: ReplayResult): string {
  const lines = [
    `replayed ${String(result.notifications)} notifications · delivered ${String(result.delivered)} · dropped ${String(result.dropped)} · unmatched ${String(result.unmatched)} · revocations skipped ${String(result.revocations)}${result.stopped ? ' · stopped early' : ''}`,
  ];
  for (const u of result.unmatched_lines) {
    lines.push(
      `  unmatched line ${String(u.line)}: ${u.type}@${u.version} ${JSON.stringify(u.condition)} (${u.message_id})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function readAll(file: string): Promise<RecordingLine[]> {
  const lines: RecordingLine[] = [];
  for await (const line of readRecording(file)) lines.push(line);
  return lines;
}

/** `--emulator`'s URL without trailing slashes; a usage error when it is not a URL or carries credentials. */
function emulatorBase(value: string): string {
  const base = value.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--emulator is not a URL: "${base.slice(0, 200)}"`);
  }
  // The messages of a replay name the URL: a password in it would be printed.
  if (url.username !== '' || url.password !== '')
    throw new UsageError('--emulator must not carry a user name or password');
  return base;
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || file === '') throw new UsageError('missing <file>');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
  if (values.fast === true && values.speed !== undefined)
    throw new UsageError('--speed does not go with --fast');
  const speed: number | 'max' =
    values.fast === true
      ? 'max'
      : integerOption('speed', values.speed, { min: 1, max: 1_000_000, fallback: 1 });
  const port = integerOption('port', values.port, { min: 0, max: 65_535, fallback: 8080 });
  const waitS =
    values.wait === undefined ? undefined : integerOption('wait', values.wait, { min: 0, max: 86_400 });
  const timestamps = values['fresh-timestamps'] === true ? 'now' : 'original';

  const base = typeof values.emulator === 'string' ? emulatorBase(values.emulator) : undefined;

  let lines: RecordingLine[];
  try {
    lines = await readAll(file);
  } catch (error) {
    context.stderr.write(`twitch-realtime replay: ${describeError(error)}\n`);
    return 1;
  }
  const needed = neededOf(lines);
  const notifications = lines.filter((l): l is RecordedNotification => l.kind === 'notification').length;
  context.stdout.write(
    `replay: ${file}: ${String(notifications)} notifications, ${String(needed.size)} distinct subscriptions\n`,
  );
  const deadline = waitS === undefined ? undefined : Date.now() + waitS * 1000;

  if (base !== undefined) {
    try {
      await waitForSubscriptions(needed, () => fetchJson(`${base}/_emulator/state`), deadline, context);
      if (context.signal.aborted) return 0;
      const query = `?speed=${String(speed)}&timestamps=${timestamps}`;
      const res = await fetch(`${base}/_emulator/replay${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines.map((l) => JSON.stringify(l)).join('\n'),
        signal: context.signal,
      });
      const body: unknown = await res.json();
      if (!res.ok) {
        const message = isRecord(body) && typeof body.message === 'string' ? body.message : res.statusText;
        context.stderr.write(
          `twitch-realtime replay: the emulator answered ${String(res.status)}: ${message}\n`,
        );
        return 1;
      }
      context.stdout.write(summary(body as ReplayResult));
      return values.exit === true ? exitCode(body as ReplayResult) : 0;
    } catch (error) {
      if (context.signal.aborted) return 0;
      context.stderr.write(`twitch-realtime replay: ${base}: ${errorMessage(error)}\n`);
      return 1;
    }
  }

  let emu: Emulator;
  try {
    emu = await Emulator.start({ port });
  } catch (error) {
    context.stderr.write(`twitch-realtime replay: cannot start the emulator: ${errorMessage(error)}\n`);
    return 1;
  }
  try {
    const users = authorize(emu, needed);
    context.stdout.write(describeEndpoints(emu).replace('Press Ctrl+C to stop.\n', ''));
    // The local app's credentials, printed on purpose (as `twitch-realtime emulator` does): the user's client needs them.
    context.stdout.write(
      `Client options  ${JSON.stringify({ ...emu.clientOptions() })}\n${String(users)} users of the recording authorized; subscribe your client as in the recording.\n`,
    );
    await waitForSubscriptions(needed, () => Promise.resolve(emu.state()), deadline, context);
    if (context.signal.aborted) return 0;
    const run = emu.replay(lines, { speed, timestamps });
    const stop = (): void => {
      run.stop();
    };
    context.signal.addEventListener('abort', stop, { once: true });
    let result: ReplayResult;
    try {
      result = await run.done;
      context.stdout.write(summary(result));
    } finally {
      context.signal.removeEventListener('abort', stop);
    }
    if (values.exit === true) return exitCode(result);
    // The emulator stays up: the client under test keeps its sockets (and what is still in flight to it).
    context.stdout.write('The emulator keeps running; press Ctrl+C to stop.\n');
    await whenAborted(context.signal);
    return 0;
  } finally {
    await emu.close();
  }
}

/** `--exit`'s code: 0 when every notification read was delivered somewhere, 1 otherwise. */
function exitCode(result: ReplayResult): number {
  return result.unmatched === 0 && result.dropped === 0 && !result.stopped ? 0 : 1;
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${String(res.status)}`);
  return res.json();
}

/** The `replay` subcommand. */
export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'Replay a recording into the emulator (original message ids, at the recorded pace or faster)',
  help: HELP,
  run,
};
