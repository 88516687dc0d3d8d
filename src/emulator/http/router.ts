/**
 * Route tables of the emulator's HTTP server. Paths are exact, or end with `/*` to match a prefix (longest
 * prefix wins). A path known under another method answers 405 with `Allow`.
 */
import type { BodyParams, EmuHandler, EmuRouter, RouteOptions } from './types.js';

/** A registered route. */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly auth: RouteOptions['auth'];
  /** Top-level scalar JSON body parameters, which may also come in the query string (Helix routes). */
  readonly bodyParams: BodyParams | undefined;
  readonly handler: EmuHandler;
}

/** Result of {@link RouteTable.match}: the route, or the methods the path accepts (405), or nothing (404). */
export type RouteMatch = { readonly route: Route } | { readonly allow: readonly string[] } | undefined;

/** Routes of one mount point (`/helix`, `/_emulator`, `/oauth2`). */
export class RouteTable {
  readonly #exact = new Map<string, Map<string, Route>>();
  /** Prefix routes, longest prefix first. */
  #prefixes: { prefix: string; methods: Map<string, Route> }[] = [];

  /**
   * Adds a route. `path` starts with `/`; a trailing `/*` matches the prefix and everything below it.
   *
   * @throws Error on a malformed path or a duplicate (method, path): both are programming errors.
   */
  add(method: string, path: string, options: RouteOptions, handler: EmuHandler): void {
    if (!path.startsWith('/')) throw new Error(`route path must start with "/": ${path}`);
    const upper = method.toUpperCase();
    const route: Route = {
      method: upper,
      path,
      auth: options.auth,
      bodyParams: options.bodyParams,
      handler,
    };
    let methods: Map<string, Route> | undefined;
    if (path.endsWith('/*')) {
      const prefix = path.slice(0, -2);
      methods = this.#prefixes.find((p) => p.prefix === prefix)?.methods;
      if (methods === undefined) {
        methods = new Map();
        this.#prefixes = [...this.#prefixes, { prefix, methods }].sort(
          (a, b) => b.prefix.length - a.prefix.length,
        );
      }
    } else {
      methods = this.#exact.get(path);
      if (methods === undefined) {
        methods = new Map();
        this.#exact.set(path, methods);
      }
    }
    if (methods.has(upper)) throw new Error(`duplicate route ${upper} ${path}`);
    methods.set(upper, route);
  }

  /** Every route, exact ones first, in registration order within each kind. */
  *routes(): IterableIterator<Route> {
    for (const methods of this.#exact.values()) yield* methods.values();
    for (const p of this.#prefixes) yield* p.methods.values();
  }

  /** Finds the route of `method` `path` (path below the mount point, no query string). */
  match(method: string, path: string): RouteMatch {
    let methods = this.#exact.get(path);
    if (methods === undefined) {
      for (const p of this.#prefixes) {
        if (path === p.prefix || path.startsWith(`${p.prefix}/`)) {
          methods = p.methods;
          break;
        }
      }
    }
    if (methods === undefined) return undefined;
    const route = methods.get(method);
    return route === undefined ? { allow: [...methods.keys()] } : { route };
  }
}

const NO_AUTH: RouteOptions = { auth: 'none' };

/** The {@link EmuRouter} handed to features: Helix, control and (internal) OAuth route tables. */
export class Router implements EmuRouter {
  readonly helixRoutes = new RouteTable();
  readonly controlRoutes = new RouteTable();
  readonly oauthRoutes = new RouteTable();

  helix(method: string, path: string, options: RouteOptions, handler: EmuHandler): void {
    this.helixRoutes.add(method, path, options, handler);
  }

  control(method: string, path: string, handler: EmuHandler): void {
    this.controlRoutes.add(method, path, NO_AUTH, handler);
  }

  /** OAuth route under `/oauth2` (no auth, no rate limit, OAuth-shaped errors). */
  oauth(method: string, path: string, handler: EmuHandler): void {
    this.oauthRoutes.add(method, path, NO_AUTH, handler);
  }
}
