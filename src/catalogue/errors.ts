/**
 * Codes of the catalogue: the subscription builders (`subscription`, `toSubscriptionRequest`, `resolveEntry`,
 * `toWireCondition`), `multiSubscribe` and `AutoClient` (which prefix `field` with `subscriptions[i].`), the event
 * models and the example helpers. The first three are `InvalidArgumentError`s, `MALFORMED_EVENT` a `ProtocolError`.
 */
export type CatalogueErrorCode =
  /**
   * The type or version is not a non-empty string, the type is not in the catalogue, or the version is unknown for
   * that type (the message lists the known versions). `field` is `type` or `version`.
   *
   * What to do: **Fix input** (usually a typo or a wrong version). A type newer than this library can still be
   * created with `helix.eventSub.createSubscription`, which sends types it does not know without checks.
   */
  | 'UNKNOWN_SUBSCRIPTION_TYPE'
  /**
   * Twitch no longer accepts the version: removed (`channel.follow` v1, 410) or withdrawn (`channel.update` v1,
   * `channel.hype_train.*` v1, 400). `field` is `version`.
   *
   * What to do: **Fix input:** use the current version.
   */
  | 'SUBSCRIPTION_VERSION_REMOVED'
  /**
   * The condition is not an object, has an unknown key (with a "did you mean" hint for snake_case keys), lacks a
   * required key, has a value that is not a non-empty string, or breaks an exactly-one-of rule. `field` is
   * `condition.<key>` in camelCase.
   *
   * What to do: **Fix input.** Nothing was sent.
   */
  | 'INVALID_CONDITION'
  /**
   * `toEventModel`/`toNotification`: a modelled event lacks a required field or a field has the wrong JSON type.
   * `raw` is the wire event, `cause` the reader's error. The clients and the webhook receiver emit it on `error`
   * (context `notification`) and skip that one notification.
   *
   * What to do: **Report a bug** with `raw`: Twitch changed the payload, or our model is wrong. Other notifications
   * keep flowing.
   */
  | 'MALFORMED_EVENT'
  /**
   * The example helpers (`listExamples`, `exampleNotification`, `exampleSubscribeRequest`, `generateEvent`) could not
   * read `data/eventsub-examples.json`, or it has no `examples` array. `cause` has the file system or JSON error.
   *
   * What to do: **Fix setup:** the package's `data/` directory is missing or damaged (a bundler that drops package
   * files); reinstall or copy it.
   */
  | 'CATALOGUE_DATA_UNAVAILABLE';

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    catalogue: CatalogueErrorCode;
  }
}
