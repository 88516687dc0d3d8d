/**
 * Typed fixtures: the example payload of every catalogue type and version, as the wire event, its model and the
 * `Notification` a client emits, with overrides in the typed trigger's convention (camelCase, deep partial).
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.js';
import {
  exampleEvent as exampleWireEvent,
  exampleNotification,
  mergeEventFields,
} from '../catalogue/examples.js';
import type { EventSubEventOf, Notification, WireEventOf } from '../catalogue/events.js';
import { toEventModel, toNotification } from '../catalogue/events.js';
import { getCatalogueEntry } from '../catalogue/table.js';
import { variantSpec } from '../catalogue/variants.js';
import type { WireSubscription } from '../protocol/eventsub.js';
import { checkTypeVersion, eventOverridesToWire } from '../emulator/eventsub/typed-trigger.js';
import type { EventOverrides, TriggerType, TriggerVersion } from '../emulator/index.js';

/** The example event of one type and version, in its three forms (see {@link exampleEvent}). */
export interface ExampleEvent<T extends TriggerType, V extends TriggerVersion<T>> {
  /** The wire (snake_case) event, as Twitch sends it (for `drop.entitlement.grant`, the `events` array). */
  readonly wire: WireEventOf<T, V>;
  /** Its model, built by `toEventModel` (its `raw` is {@link ExampleEvent.wire}). */
  readonly model: EventSubEventOf<T, V>;
  /** The envelope a client's `notification` event receives: a fresh message id, the current time. */
  readonly notification: Notification<EventSubEventOf<T, V>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The example event of `type` at `version` (Twitch's documented example, corrected where Twitch's documentation is
 * wrong; a fresh deep copy per call), with `overrides` merged over it: camelCase keys at any depth, as in the
 * emulator's typed `trigger` (objects merge key by key; arrays and values replace; for `drop.entitlement.grant`,
 * fields of each `events[i].data`). Setting a discriminated type's discriminator (`noticeType`, `action`, ...) gives
 * that variant's event.
 *
 * Throws `INVALID_ARGUMENT` for an unknown type, version or override key, and `MALFORMED_EVENT` when the overrides
 * make an event the model cannot read (a field of the wrong type).
 *
 * @example
 * ```ts
 * import { exampleEvent } from 'twitch-realtime/testing';
 *
 * const { wire, model, notification } = exampleEvent('channel.follow', '2', { userName: 'Ada' });
 * wire.user_name; // 'Ada'
 * model.user.displayName; // 'Ada'
 * notification.event?.user.displayName; // 'Ada'
 * ```
 */
export function exampleEvent<const T extends TriggerType, const V extends TriggerVersion<T>>(
  type: T,
  version: V,
  overrides?: EventOverrides<T, V>,
): ExampleEvent<T, V> {
  checkTypeVersion(type, version);
  const entry = getCatalogueEntry(type, version);
  if (entry === undefined || entry.removed === true) {
    throw new InvalidArgumentError(`${type} version ${version} was removed by Twitch`, 'version');
  }
  const wireOverrides = overrides === undefined ? undefined : eventOverridesToWire(overrides, 'overrides');
  const spec = variantSpec(type, version);
  const variant = spec === undefined || wireOverrides === undefined ? undefined : wireOverrides[spec.key];
  const wire = exampleWireEvent(entry, variant);
  if (wireOverrides !== undefined) {
    const targets = Array.isArray(wire) ? wire.map((e) => (isObject(e) ? e.data : undefined)) : [wire];
    for (const target of targets) if (isObject(target)) mergeEventFields(target, wireOverrides);
  }
  const model = toEventModel(type, version, wire) as EventSubEventOf<T, V>;
  // Twitch documents no example of automod.message.update v2 (its event is the emulator's fallback template).
  const subscription: WireSubscription = exampleNotification(type, version)?.subscription ?? {
    id: randomUUID(),
    type,
    version,
    status: 'enabled',
    cost: 0,
    condition: {},
    transport: { method: 'webhook', callback: 'https://example.com/webhooks/callback' },
    created_at: new Date().toISOString(),
  };
  const payload = entry.batched ? { subscription, events: wire as unknown[] } : { subscription, event: wire };
  const notification = toNotification(randomUUID(), new Date().toISOString(), payload) as Notification<
    EventSubEventOf<T, V>
  >;
  return { wire: wire as unknown as WireEventOf<T, V>, model, notification };
}
