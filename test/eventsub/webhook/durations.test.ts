/**
 * The webhook receiver's duration options follow the clock rule (core/duration.ts): positive integers of
 * milliseconds, at most 2^31-1, else an InvalidArgumentError naming the field.
 */
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { WebhookReceiver, type WebhookReceiverOptions } from '../../../src/eventsub/webhook/receiver.js';

const SECRET = 's3cr3t-s3cr3t';

it.each([
  ['bodyTimeoutMs', 2 ** 31],
  ['bodyTimeoutMs', 1e12],
  ['maxAgeMs', 2 ** 31],
  ['maxFutureSkewMs', 1e15],
] as const)('refuses %s = %d (beyond what a timer honours)', (field, value) => {
  const options: WebhookReceiverOptions = { secret: SECRET, [field]: value };
  let thrown: unknown;
  try {
    new WebhookReceiver(options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as InvalidArgumentError).field).toBe(field);
});

it('accepts the longest valid duration', () => {
  expect(() => new WebhookReceiver({ secret: SECRET, bodyTimeoutMs: 2 ** 31 - 1 })).not.toThrow();
});
