/**
 * Whispers (`helix.whispers`): Helix groups them apart from chat (their own path, scope and limits), and so does the
 * client. One row of {@link WHISPER_ENDPOINTS} and a thin typed method, like the other endpoint groups.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import {
  checkOptions,
  fail,
  nonEmptyString,
  required,
  string,
  type OptionChecks,
} from '../../core/options.js';
import { codePointLength, WHISPER_LIMITS, type WireSendWhisperBody } from '../../protocol/chat.js';
import { callEndpoint, callOptions, type CallOptions, type EndpointSpec } from '../endpoint.js';
import { HelixHttp } from '../http.js';
import { actingAs } from './chat.js';

/** The whisper endpoint rows. */
export const WHISPER_ENDPOINTS = {
  // Not idempotent: a repeat after a lost answer would whisper twice.
  sendWhisper: { method: 'POST', path: '/whispers', token: 'user' },
} as const satisfies Record<string, EndpointSpec>;

/** Input of {@link WhispersApi.sendWhisper}. */
export interface SendWhisperInput {
  /** The token's user (`user:manage:whispers`, a verified phone number on Twitch). */
  readonly fromUserId: string;
  readonly toUserId: string;
  /**
   * 1 to 10,000 characters; Twitch keeps only the first 500 unless the recipient has whispered the sender before
   * (and answers 204 all the same; the emulator cuts it the same way).
   */
  readonly message: string;
}

const WHISPER_CHECKS: OptionChecks<SendWhisperInput> = {
  fromUserId: required(nonEmptyString),
  toUserId: required(nonEmptyString),
  message: required(string),
};

/**
 * Whisper endpoints (`helix.whispers`).
 *
 * @example
 * ```ts
 * await helix.whispers.sendWhisper({ fromUserId: botId, toUserId: '4242', message: 'Your code: 1234' });
 * ```
 */
export class WhispersApi {
  readonly #http: HelixHttp;

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `http`) when `http` is not a `HelixHttp`. */
  constructor(http: HelixHttp) {
    if (!((http as unknown) instanceof HelixHttp)) fail('http', 'a HelixHttp (helix.http)', http);
    this.#http = http;
  }

  /**
   * Send Whisper. Resolves once Twitch answered 204 (it emits `user.whisper.message` to the recipient's
   * subscriptions). Twitch's limits (3 per second, 100 per minute, 40 distinct recipients a day) answer 429: an
   * `HTTPError` with status 429. The token is the sender's (`auth` defaults to `{ userId: fromUserId }`). Not
   * retried after a network error or a 5xx.
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a missing id, whispering oneself, a blank message
   *   or one past 10,000 characters, `auth` of another user.
   * @example
   * ```ts
   * await helix.whispers.sendWhisper({ fromUserId: botId, toUserId: '4242', message: 'hi' });
   * ```
   */
  async sendWhisper(input: SendWhisperInput, options?: CallOptions): Promise<void> {
    checkOptions(input, WHISPER_CHECKS, 'input');
    if (input.toUserId === input.fromUserId) {
      throw new InvalidArgumentError('a user cannot whisper itself', 'toUserId');
    }
    if (input.message.trim() === '') fail('message', 'a non-blank string', input.message);
    const length = codePointLength(input.message);
    if (length > WHISPER_LIMITS.maxLength) {
      throw new InvalidArgumentError(
        `message has ${length} characters; Twitch takes at most ${WHISPER_LIMITS.maxLength}`,
        'message',
      );
    }
    const body: WireSendWhisperBody = { message: input.message };
    await callEndpoint(this.#http, WHISPER_ENDPOINTS.sendWhisper, {
      ...actingAs(callOptions(options), input.fromUserId, 'fromUserId'),
      query: { from_user_id: input.fromUserId, to_user_id: input.toUserId },
      body,
    });
  }
}
