/**
 * The observability server's control route (`POST /api/emulator/...`): a JSON body of at most `MAX_CONTROL_BODY`
 * bytes (a cross-site form cannot send one without a preflight), handed to `EmulatorControls`, which forwards it to
 * the emulator; a shard is named by id and resolved to its session through the first conduit source's view.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { MAX_CONTROL_BODY, type ControlAnswer, type EmulatorControls } from './emulator-controls.js';
import { json, readBody } from './server-replies.js';
import type { ObservedSource } from './source.js';

/** The dashboard's emulator controls; with `controls` null (no emulator), every control is answered 404. */
export class ControlRoute {
  readonly #controls: EmulatorControls | null;
  readonly #sources: readonly ObservedSource[];
  readonly #logger: Logger;

  constructor(controls: EmulatorControls | null, sources: readonly ObservedSource[], logger: Logger) {
    this.#controls = controls;
    this.#sources = sources;
    this.#logger = logger;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const controls = this.#controls;
    if (controls === null) {
      json(res, 404, {
        ok: false,
        error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'no emulator: the controls are off' },
      });
      return;
    }
    // A JSON body only: a cross-site form or a no-cors fetch cannot send one without a preflight we never answer.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      json(res, 415, {
        ok: false,
        error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'the body must be application/json' },
      });
      return;
    }
    const body = await readBody(req, MAX_CONTROL_BODY);
    let answer: ControlAnswer;
    if (body === null) {
      answer = {
        status: 413,
        body: {
          ok: false,
          error: { code: 'OBSERVABILITY_BAD_CONTROL', message: `the body is over ${MAX_CONTROL_BODY} bytes` },
        },
      };
      res.setHeader('connection', 'close');
    } else {
      let parsed: unknown = {};
      let parsedOk = true;
      if (body.length > 0) {
        try {
          parsed = JSON.parse(body);
        } catch {
          parsedOk = false;
        }
      }
      answer = parsedOk
        ? await controls.handle(path, parsed, (id) => this.#sessionOf(id))
        : {
            status: 400,
            body: {
              ok: false,
              error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'the body is not JSON' },
            },
          };
    }
    if (answer.status >= 400) {
      const error = (answer.body as { error?: { message?: string } }).error;
      this.#logger.info('dashboard control refused', { path, status: answer.status, reason: error?.message });
    }
    json(res, answer.status, answer.body);
  }

  /** The shard's session id in the first conduit source's view (`undefined`: no such shard). */
  #sessionOf(shardId: string): string | null | undefined {
    for (const source of this.#sources) {
      let conduit;
      try {
        conduit = source.view?.().conduit;
      } catch {
        continue;
      }
      if (conduit === undefined) continue;
      const shard = conduit.shards[Number(shardId)];
      if (shard?.id !== shardId) return conduit.shards.find((s) => s.id === shardId)?.sessionId;
      return shard.sessionId;
    }
    return undefined;
  }
}
