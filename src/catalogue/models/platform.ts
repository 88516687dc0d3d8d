/** Models of events about streams, users and the platform. */
import type {
  WireConduitShardDisabledEvent,
  WireDropEntitlementGrantEvent,
  WireStreamOfflineEvent,
  WireStreamOnlineEvent,
  WireUserAuthorizationGrantEvent,
  WireUserAuthorizationRevokeEvent,
  WireUserUpdateEvent,
  WireUserWhisperMessageEvent,
} from '../wire/platform.js';
import { defineEvent } from '../define.js';
import type { EventModel, UserRef } from './common.js';
import {
  arr,
  bool,
  broadcaster,
  date,
  dateN,
  obj,
  str,
  strN,
  text,
  user,
  userOf,
  withRaw,
} from './common.js';

/** Model of `stream.online` v1: its description is in the catalogue table (docs/events.md). */
export interface StreamOnlineEvent extends EventModel<'stream.online', '1', WireStreamOnlineEvent> {
  /** Stream id. */
  readonly id: string;
  readonly broadcaster: UserRef;
  /** `live`, `playlist`, `watch_party`, `premiere` or `rerun` (the wire `type`). */
  readonly streamType: string;
  readonly startedAt: Date;
}
export const streamOnlineEventDefinition = defineEvent('stream.online', '1', toStreamOnlineEvent);

/** Model of `stream.offline` v1: its description is in the catalogue table (docs/events.md). */
export interface StreamOfflineEvent extends EventModel<'stream.offline', '1', WireStreamOfflineEvent> {
  readonly broadcaster: UserRef;
}
export const streamOfflineEventDefinition = defineEvent('stream.offline', '1', toStreamOfflineEvent);

/** Model of `user.update` v1: its description is in the catalogue table (docs/events.md). */
export interface UserUpdateEvent extends EventModel<'user.update', '1', WireUserUpdateEvent> {
  readonly user: UserRef;
  /** `null` without the `user:read:email` scope. */
  readonly email: string | null;
  readonly emailVerified: boolean;
  /** `null` when empty. */
  readonly description: string | null;
}
export const userUpdateEventDefinition = defineEvent('user.update', '1', toUserUpdateEvent);

/** Model of `user.whisper.message` v1: its description is in the catalogue table (docs/events.md). */
export interface UserWhisperMessageEvent extends EventModel<
  'user.whisper.message',
  '1',
  WireUserWhisperMessageEvent
> {
  readonly fromUser: UserRef;
  readonly toUser: UserRef;
  readonly whisperId: string;
  readonly text: string;
}
export const userWhisperMessageEventDefinition = defineEvent(
  'user.whisper.message',
  '1',
  toUserWhisperMessageEvent,
);

/** Model of `user.authorization.grant` v1: its description is in the catalogue table (docs/events.md). */
export interface UserAuthorizationGrantEvent extends EventModel<
  'user.authorization.grant',
  '1',
  WireUserAuthorizationGrantEvent
> {
  readonly clientId: string;
  readonly user: UserRef;
}
export const userAuthorizationGrantEventDefinition = defineEvent(
  'user.authorization.grant',
  '1',
  toUserAuthorizationGrantEvent,
);

/** Model of `user.authorization.revoke` v1: its description is in the catalogue table (docs/events.md). */
export interface UserAuthorizationRevokeEvent extends EventModel<
  'user.authorization.revoke',
  '1',
  WireUserAuthorizationRevokeEvent
> {
  readonly clientId: string;
  readonly userId: string;
  /** `null` when the user was deleted. */
  readonly userLogin: string | null;
  /** `null` when the user was deleted. */
  readonly userDisplayName: string | null;
}
export const userAuthorizationRevokeEventDefinition = defineEvent(
  'user.authorization.revoke',
  '1',
  toUserAuthorizationRevokeEvent,
);

/** One granted drop entitlement. */
export interface DropEntitlement {
  /** Unique id of this grant (for de-duplication). */
  readonly id: string;
  readonly data: {
    readonly organizationId: string;
    readonly categoryId: string;
    readonly categoryName: string;
    readonly campaignId: string;
    readonly user: UserRef;
    readonly entitlementId: string;
    readonly benefitId: string;
    readonly createdAt: Date;
  };
}

/** Model of `drop.entitlement.grant` v1: its description is in the catalogue table (docs/events.md). */
export interface DropEntitlementGrantEvent extends EventModel<
  'drop.entitlement.grant',
  '1',
  WireDropEntitlementGrantEvent
> {
  readonly events: readonly DropEntitlement[];
}
export const dropEntitlementGrantEventDefinition = defineEvent(
  'drop.entitlement.grant',
  '1',
  toDropEntitlementGrantEvent,
);

/** Model of `conduit.shard.disabled` v1: its description is in the catalogue table (docs/events.md). */
export interface ConduitShardDisabledEvent extends EventModel<
  'conduit.shard.disabled',
  '1',
  WireConduitShardDisabledEvent
> {
  readonly conduitId: string;
  readonly shardId: string;
  readonly status: string;
  readonly transport: {
    readonly method: string;
    readonly callback: string | null;
    readonly sessionId: string | null;
    readonly connectedAt: Date | null;
    readonly disconnectedAt: Date | null;
  };
}
export const conduitShardDisabledEventDefinition = defineEvent(
  'conduit.shard.disabled',
  '1',
  toConduitShardDisabledEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `stream.online` v1. */
function toStreamOnlineEvent(w: WireStreamOnlineEvent): StreamOnlineEvent {
  return withRaw(
    {
      type: 'stream.online',
      version: '1',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      streamType: str(w.type, 'type'),
      startedAt: date(w.started_at, 'started_at'),
    },
    w,
  );
}

/** Converts `stream.offline` v1. */
function toStreamOfflineEvent(w: WireStreamOfflineEvent): StreamOfflineEvent {
  return withRaw({ type: 'stream.offline', version: '1', broadcaster: broadcaster(w) }, w);
}

/** Converts `user.update` v1. */
function toUserUpdateEvent(w: WireUserUpdateEvent): UserUpdateEvent {
  return withRaw(
    {
      type: 'user.update',
      version: '1',
      user: userOf(w),
      email: text(w.email, 'email'),
      emailVerified: bool(w.email_verified, 'email_verified'),
      description: text(w.description, 'description'),
    },
    w,
  );
}

/** Converts `user.whisper.message` v1. */
function toUserWhisperMessageEvent(w: WireUserWhisperMessageEvent): UserWhisperMessageEvent {
  return withRaw(
    {
      type: 'user.whisper.message',
      version: '1',
      fromUser: user(w.from_user_id, w.from_user_login, w.from_user_name, 'from_user'),
      toUser: user(w.to_user_id, w.to_user_login, w.to_user_name, 'to_user'),
      whisperId: str(w.whisper_id, 'whisper_id'),
      text: str(obj(w.whisper, 'whisper').text, 'whisper.text'),
    },
    w,
  );
}

/** Converts `user.authorization.grant` v1. */
function toUserAuthorizationGrantEvent(w: WireUserAuthorizationGrantEvent): UserAuthorizationGrantEvent {
  return withRaw(
    {
      type: 'user.authorization.grant',
      version: '1',
      clientId: str(w.client_id, 'client_id'),
      user: userOf(w),
    },
    w,
  );
}

/** Converts `user.authorization.revoke` v1. */
function toUserAuthorizationRevokeEvent(w: WireUserAuthorizationRevokeEvent): UserAuthorizationRevokeEvent {
  return withRaw(
    {
      type: 'user.authorization.revoke',
      version: '1',
      clientId: str(w.client_id, 'client_id'),
      userId: str(w.user_id, 'user_id'),
      userLogin: strN(w.user_login, 'user_login'),
      userDisplayName: strN(w.user_name, 'user_name'),
    },
    w,
  );
}

/** Converts `drop.entitlement.grant` v1 (pass the notification's `events` array). */
function toDropEntitlementGrantEvent(w: WireDropEntitlementGrantEvent): DropEntitlementGrantEvent {
  const list = arr(w, 'events');
  const events = new Array<DropEntitlement>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = obj(list[i], 'events');
    const d = obj(e.data, 'events.data');
    events[i] = {
      id: str(e.id, 'events.id'),
      data: {
        organizationId: str(d.organization_id, 'data.organization_id'),
        categoryId: str(d.category_id, 'data.category_id'),
        categoryName: str(d.category_name, 'data.category_name'),
        campaignId: str(d.campaign_id, 'data.campaign_id'),
        user: user(d.user_id, d.user_login, d.user_name, 'data.user'),
        entitlementId: str(d.entitlement_id, 'data.entitlement_id'),
        benefitId: str(d.benefit_id, 'data.benefit_id'),
        createdAt: date(d.created_at, 'data.created_at'),
      },
    };
  }
  return withRaw({ type: 'drop.entitlement.grant', version: '1', events }, w);
}

/** Converts `conduit.shard.disabled` v1. */
function toConduitShardDisabledEvent(w: WireConduitShardDisabledEvent): ConduitShardDisabledEvent {
  const t = obj(w.transport, 'transport');
  return withRaw(
    {
      type: 'conduit.shard.disabled',
      version: '1',
      conduitId: str(w.conduit_id, 'conduit_id'),
      shardId: str(w.shard_id, 'shard_id'),
      status: str(w.status, 'status'),
      transport: {
        method: str(t.method, 'transport.method'),
        callback: strN(t.callback, 'transport.callback'),
        sessionId: strN(t.session_id, 'transport.session_id'),
        connectedAt: dateN(t.connected_at, 'transport.connected_at'),
        disconnectedAt: dateN(t.disconnected_at, 'transport.disconnected_at'),
      },
    },
    w,
  );
}
