/**
 * The library's version, sent in the `User-Agent` of Helix and OAuth requests. Kept equal to package.json's
 * `version` by test/core/version.test.ts (a constant, so that importing the library reads no file).
 */
export const LIBRARY_VERSION = '0.1.0';

/** `User-Agent` of the HTTP requests the library sends, e.g. `twitch-realtime/0.1.0 node/20.19.0`. */
export const USER_AGENT = `twitch-realtime/${LIBRARY_VERSION} node/${process.versions.node}`;
