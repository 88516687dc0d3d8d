/**
 * Where a session may connect: the base URL (with `keepalive_timeout_seconds`), and which `reconnect_url` of a
 * `session_reconnect` it may follow (the base URL's scheme, no credentials, a host of the base URL or of
 * `allowedReconnectHosts`; Twitch's hosts over `wss:` only).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { TWITCH_EVENTSUB_WS_HOSTS } from '../../protocol/eventsub.js';

/** An entry of `allowedReconnectHosts`: a `host` (with its port, if not the default), or `*.domain` on a `port`. */
export interface AllowedHost {
  readonly host: string;
  /** `.domain` of a `*.domain` entry. */
  readonly suffix: string | undefined;
  /** Port of a `*.domain` entry, `''` for the scheme's default. */
  readonly port: string;
}

/**
 * The allowed reconnect hosts, normalised by the URL parser for the base URL's `protocol`, so that an entry matches
 * however it is written (`HOST`, `[0:0::1]`, `host:443` for `wss:`) and a reconnect_url however it is.
 */
export function reconnectHosts(
  hosts: readonly string[] | undefined,
  protocol: string,
): readonly AllowedHost[] {
  const field = 'allowedReconnectHosts';
  const list = hosts ?? TWITCH_EVENTSUB_WS_HOSTS;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${field} must be an array of hosts`, field);
  return list.map((entry: unknown, i): AllowedHost => {
    const bad = (): InvalidArgumentError =>
      new InvalidArgumentError(
        `${field}[${i}] must be a host, host:port or *.domain[:port] (no scheme, path or credentials)`,
        `${field}[${i}]`,
      );
    if (typeof entry !== 'string' || !/^(\*\.)?[A-Za-z0-9.\-[\]:]+$/.test(entry) || entry.startsWith('*.[')) {
      throw bad();
    }
    const wildcard = entry.startsWith('*.');
    let parsed: URL;
    try {
      parsed = new URL(`${protocol}//${wildcard ? entry.slice(2) : entry}`);
    } catch {
      throw bad();
    }
    if (!wildcard) return { host: parsed.host, suffix: undefined, port: parsed.port };
    // A wildcard names a domain: `*.0.0.127` would match IP addresses by their digits.
    if (isIpAddress(parsed.hostname)) throw bad();
    return { host: parsed.host, suffix: `.${parsed.hostname}`, port: parsed.port };
  });
}

/** Whether a parsed hostname is an IP address (the URL parser writes IPv4 as a.b.c.d, IPv6 in brackets). */
function isIpAddress(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname);
}

function isSubdomain(hostname: string, suffix: string): boolean {
  return hostname.endsWith(suffix) && hostname.length > suffix.length && !isIpAddress(hostname);
}

/** Twitch's own hosts: followed over `wss:` only, whatever the base URL (no event stream in plaintext to Twitch). */
export function isTwitchHost(hostname: string): boolean {
  return (
    hostname === 'twitch.tv' || hostname.endsWith('.twitch.tv') || TWITCH_EVENTSUB_WS_HOSTS.includes(hostname)
  );
}

export function buildBaseUrl(
  url: string,
  keepaliveTimeoutSeconds: number | undefined,
): { readonly url: string; readonly parsed: URL } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError('url is not a valid URL', 'url', { cause: error });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new InvalidArgumentError('url must be a ws: or wss: URL', 'url');
  }
  // keepaliveTimeoutSeconds was checked (10..600) with the other options.
  if (keepaliveTimeoutSeconds === undefined) return { url, parsed };
  parsed.searchParams.set('keepalive_timeout_seconds', String(keepaliveTimeoutSeconds));
  return { url: parsed.toString(), parsed };
}

/**
 * Why `url` may not be followed, or `null` when it may: the base URL's scheme, no credentials, and a host of the
 * base URL or of `allowedReconnectHosts`. The reason never quotes the URL itself (it may carry credentials).
 */
export function checkReconnectUrl(
  url: string,
  baseProtocol: string,
  baseHost: string,
  allowedHosts: readonly AllowedHost[],
): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== baseProtocol) {
    return `scheme ${parsed.protocol.slice(0, 16)} differs from the base URL's ${baseProtocol}`;
  }
  if (parsed.username !== '' || parsed.password !== '') return 'it carries credentials';
  // Hosts and ports as the URL parser writes them (lowercase, IP forms, default port dropped), like the entries.
  const { host, hostname, port } = parsed;
  if (parsed.protocol !== 'wss:' && isTwitchHost(hostname))
    return "Twitch's hosts are followed over wss: only";
  if (host === baseHost) return null;
  for (const allowed of allowedHosts) {
    if (
      allowed.suffix === undefined
        ? host === allowed.host
        : isSubdomain(hostname, allowed.suffix) && port === allowed.port
    ) {
      return null;
    }
  }
  return `host ${host.slice(0, 256)} is not allowed (see allowedReconnectHosts)`;
}

/** Where one session connects, and which `reconnect_url` it may follow (the functions above, resolved once). */
export class SessionEndpoints {
  /** The base URL, with `keepalive_timeout_seconds` when asked. */
  readonly baseUrl: string;
  readonly #protocol: string;
  readonly #host: string;
  readonly #allowed: readonly AllowedHost[];

  /** @throws {@link InvalidArgumentError} for a base URL that is not `ws:`/`wss:` or a malformed allowed host. */
  constructor(
    url: string,
    keepaliveTimeoutSeconds: number | undefined,
    allowedHosts: readonly string[] | undefined,
  ) {
    const base = buildBaseUrl(url, keepaliveTimeoutSeconds);
    this.baseUrl = base.url;
    this.#protocol = base.parsed.protocol;
    this.#host = base.parsed.host;
    this.#allowed = reconnectHosts(allowedHosts, this.#protocol);
  }

  /** Why `url` may not be followed (never quoting it), or `null` when it may. */
  refusal(url: string): string | null {
    return checkReconnectUrl(url, this.#protocol, this.#host, this.#allowed);
  }
}
