/**
 * `twitch-realtime/observability`: what operators of conduits need to see. The `ObservedSource` contract every client
 * implements (metrics, health, a view of its shards and subscriptions); see docs/observability.md.
 *
 * @packageDocumentation
 */
export { RECENT_ERRORS_LIMIT } from './source.js';
export type {
  ConduitView,
  ErrorView,
  HealthReport,
  ObservedSource,
  ShardView,
  SourceView,
  SubscriptionCountView,
  SubscriptionsView,
} from './source.js';
export {
  CONDUIT_INSPECTOR_DEFAULTS,
  ConduitInspector,
  MIN_MS_PER_LISTING_REQUEST,
  type ConduitInspectorOptions,
  type InspectorErrorCode,
} from './inspector.js';
export { DASHBOARD_PROTOCOL_VERSION } from './dashboard-protocol.js';
export type {
  DashboardRates,
  DashboardSnapshot,
  DashboardSourceInfo,
  DashboardTick,
} from './dashboard-protocol.js';
export { exportToOpenTelemetry, OTEL_METER_NAME } from './otel.js';
export type {
  OpenTelemetryExport,
  OpenTelemetryExportOptions,
  OtelAttributes,
  OtelBatchObservableResult,
  OtelInstrumentOptions,
  OtelMeter,
  OtelMeterProvider,
  OtelObservable,
} from './otel.js';
export {
  DEFAULT_OBSERVABILITY_PORT,
  MAX_STREAMS,
  MAX_STREAM_BUFFER,
  startObservabilityServer,
} from './server.js';
export type {
  ClientObservabilityOptions,
  ObservabilityServer,
  ObservabilityServerOptions,
} from './server.js';
export { ObservabilityError } from './errors.js';
export type { ObservabilityErrorCode } from './errors.js';
export { SOURCE_LABEL } from './merge.js';
