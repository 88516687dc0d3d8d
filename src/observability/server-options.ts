/**
 * The observability server's options and their checks: what `startObservabilityServer` and a client's
 * `observability` option take, the `ObservabilityServer` it returns, and `isLoopback` (which host needs a token).
 */
import { isIP } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import {
  boolean,
  checkOptions,
  clock as clockCheck,
  fail,
  integerIn,
  logger as loggerCheck,
  nonEmptyString,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import { emulatorBase } from './emulator-controls.js';
import type { ObservedSource } from './source.js';

/** The port documented for users (Prometheus's exporter convention); tests pass `port: 0`. */
export const DEFAULT_OBSERVABILITY_PORT = 9464;
/** Options of {@link startObservabilityServer}. */
export interface ObservabilityServerOptions {
  /** The clients to observe (`[client, client.helix]`): each `metrics()`, and `health()` / `view()` when present. */
  readonly sources: readonly ObservedSource[];
  /** The address to bind. Anything but a loopback address needs a `token`. @defaultValue `'127.0.0.1'` */
  readonly host?: string;
  /** The port; 0 picks a free one (see `url`). @defaultValue 9464 (`DEFAULT_OBSERVABILITY_PORT`) */
  readonly port?: number;
  /**
   * Required on every route (as `Authorization: Bearer <token>` or `?token=<token>`), compared in constant time.
   * Required when `host` is not a loopback address (else `OBSERVABILITY_TOKEN_REQUIRED`). Never logged.
   */
  readonly token?: string;
  /**
   * `/healthz` and `/readyz` answer without the token (kubelet probes rarely send headers). They then tell anyone
   * who can reach the port whether the client is healthy, and why not. @defaultValue false
   */
  readonly openProbes?: boolean;
  /** Serve the dashboard (`/`, `/api/...`); `false` serves only `/metrics`, `/healthz`, `/readyz`. @defaultValue true */
  readonly dashboard?: boolean;
  /**
   * The base URL of a twitch-realtime emulator (`http:` or `https:`): enables the dashboard's controls (trigger an
   * event, drop a shard, send `session_reconnect`, stall keepalives), forwarded to its `/_emulator` routes.
   */
  readonly emulator?: string | URL;
  /** The dashboard's tick, ms (100..15000): rates, health and changed shards are sent this often. @defaultValue 1000 */
  readonly tickMs?: number;
  /** The clock of the ticker (tests pass a `TestClock`). @defaultValue the system clock */
  readonly clock?: Clock;
  /** Where the server logs (never the token). @defaultValue silent */
  readonly logger?: Logger;
}

/** A running observability server. */
export interface ObservabilityServer extends AsyncDisposable {
  /** The dashboard's URL, with `?token=` when the server has a token (open it in a browser; do not log it). */
  readonly url: string;
  /** `/metrics`, without the token (Prometheus sends it as a bearer token: `authorization` in its scrape config). */
  readonly metricsUrl: string;
  /** `/healthz`, without the token. */
  readonly healthUrl: string;
  /** `/readyz`, without the token. */
  readonly readyUrl: string;
  /** The port bound (useful with `port: 0`). */
  readonly port: number;
  /** Stops the ticker, ends every stream, aborts forwarded controls and closes the server. Idempotent. */
  close(): Promise<void>;
}

const SOURCES: Check = (value, field) => {
  if (!Array.isArray(value)) fail(field, 'an array of observed sources (clients)', value);
  value.forEach((source: unknown, i) => {
    if (
      typeof source !== 'object' ||
      source === null ||
      typeof (source as { metrics?: unknown }).metrics !== 'function'
    ) {
      fail(`${field}[${i}]`, 'an observed source (an object with a metrics() method)', source);
    }
  });
};

const EMULATOR: Check = (value, field) => {
  if ((typeof value !== 'string' && !(value instanceof URL)) || emulatorBase(value) === null) {
    fail(field, 'an http:// or https:// URL of a twitch-realtime emulator, without credentials', value);
  }
};

const TOKEN: Check = (value, field) => {
  if (typeof value !== 'string' || value.length < 8 || value.length > 512 || /[\s\p{Cc}]/u.test(value)) {
    fail(field, 'a string of 8..512 printable characters without spaces', value, true);
  }
};

/** The checks of the options (the clients' `observability` option uses them without `sources`). */
export const OBSERVABILITY_SERVER_CHECKS: OptionChecks<ObservabilityServerOptions> = {
  sources: Object.assign(SOURCES, { required: true }),
  host: nonEmptyString,
  port: integerIn(0, 65_535),
  token: TOKEN,
  openProbes: boolean,
  dashboard: boolean,
  emulator: EMULATOR,
  tickMs: integerIn(100, 15_000),
  clock: clockCheck,
  logger: loggerCheck,
};

/** The options a client's `observability` option takes (the client gives the sources). */
export type ClientObservabilityOptions = Omit<ObservabilityServerOptions, 'sources'>;

/** The check of a client's `observability` option: `false`, or the server's options without `sources`. */
export const OBSERVABILITY_OPTION_CHECK: Check = (value, field) => {
  if (value === false) return;
  const { sources: _sources, ...checks } = OBSERVABILITY_SERVER_CHECKS;
  checkOptions<ClientObservabilityOptions>(value, checks, field, `${field}.`);
  const given = (value as { sources?: unknown }).sources;
  if (given !== undefined)
    fail(`${field}.sources`, 'left out (the client observes itself and its Helix client)', given);
};

/** Whether `host` is a loopback address (or `localhost`). */
export function isLoopback(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.toLowerCase().startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}
