/**
 * Errors of the observability server (`startObservabilityServer`). Each has a stable `code`; none ever carries the
 * server's token.
 */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';

/** Why the observability server refused to start or a dashboard control failed: see {@link ObservabilityError}. */
export type ObservabilityErrorCode =
  /**
   * `startObservabilityServer` (or a client's `observability` option) was asked to bind an address that is not a
   * loopback address (`0.0.0.0`, a LAN address, `::`) without a `token`: the dashboard and `/metrics` would be open to
   * the network.
   *
   * What to do: **Fix input:** pass `token` (a long random string, e.g. `randomBytes(24).toString('base64url')`), or
   * bind `127.0.0.1` (the default) and reach it through a tunnel or a proxy that authenticates.
   */
  | 'OBSERVABILITY_TOKEN_REQUIRED'
  /**
   * The server could not listen (`EADDRINUSE`, `EACCES`, an unknown host). `cause` has Node's error.
   *
   * What to do: **Fix setup:** pick a free port (or `port: 0` for any) and a host this machine has.
   */
  | 'OBSERVABILITY_LISTEN_FAILED'
  /**
   * A dashboard control (`POST /api/emulator/...`) was refused before reaching the emulator: a body that is not a
   * JSON object, too large, with a field of the wrong type, or a shard the conduit does not have or that has no
   * session to act on. Answered with status 400, 404 or 409 and this code in the JSON body.
   *
   * What to do: **Fix input** (the page sends valid controls; a script calling the routes should follow
   * docs/observability.md).
   */
  | 'OBSERVABILITY_BAD_CONTROL'
  /**
   * The emulator did not carry out a forwarded control: unreachable, timed out, or it answered with an error status
   * (its message is quoted). Answered with status 502 and this code in the JSON body.
   *
   * What to do: **Check the service:** that the emulator at the `emulator` URL runs (`twitch-realtime emulator`) and
   * is the one the client talks to.
   */
  | 'OBSERVABILITY_EMULATOR_FAILED';

/**
 * The observability server refused to start, or a dashboard control failed.
 *
 * @example
 * ```ts
 * try {
 *   await startObservabilityServer({ sources: [client], host: '0.0.0.0' });
 * } catch (error) {
 *   if (error instanceof ObservabilityError && error.code === 'OBSERVABILITY_TOKEN_REQUIRED') console.error('set a token');
 * }
 * ```
 */
export class ObservabilityError extends TwitchError {
  declare readonly code: ObservabilityErrorCode;

  // Narrows the accepted codes to this floor's own.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ObservabilityErrorCode, message: string, options?: TwitchErrorOptions) {
    super(code, message, options);
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    observability: ObservabilityErrorCode;
  }
}
