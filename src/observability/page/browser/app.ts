/**
 * The dashboard page's script (runs in the browser). Type-checked with the DOM library through this folder's own
 * tsconfig.json, then embedded into page.generated.ts by scripts/gen-dashboard-page.ts (`npm run dashboard:page`).
 *
 * Data flow: the `EventSource` on `api/stream` delivers one snapshot, then ticks (dashboard-protocol.ts). Messages
 * only update state and mark what changed; one `requestAnimationFrame` callback draws: the changed grid cells (or the
 * whole grid after a snapshot or a resize), the charts once per tick, the DOM panels that changed.
 */
import type { DashboardRates, DashboardSnapshot, DashboardTick } from '../../dashboard-protocol.js';
import type { ErrorView, HealthReport, ShardView, SubscriptionsView } from '../../source.js';

// ---------------------------------------------------------------------------------------------------------------
// Colours

type ColourClass = 'ok' | 'pending' | 'down' | 'foreign' | 'unknown';

const CLASS_COLOUR: Readonly<Record<ColourClass, string>> = {
  ok: '#2fbf71',
  pending: '#f2a93b',
  down: '#e5484d',
  foreign: '#4c8df6',
  unknown: '#6b7280',
};
const BACKGROUND = '#111418';
const SELECTED = '#ffffff';

/** Owned shards on their way (the AutoClient's states) and Twitch's pending webhook verification. */
const PENDING_STATES = new Set([
  'connecting',
  'assigning',
  'verifying',
  'waiting',
  'held',
  'webhook_callback_verification_pending',
]);
/** Twitch's failed shard statuses, and the short forms. */
const DOWN_STATES = new Set([
  'disconnected',
  'failed',
  'websocket_disconnected',
  'websocket_failed_ping_pong',
  'websocket_received_inbound_traffic',
  'websocket_connection_unused',
  'websocket_internal_error',
  'websocket_network_timeout',
  'websocket_network_error',
  'websocket_failed_to_reconnect',
  'webhook_callback_verification_failed',
  'notification_failures_exceeded',
]);

/** Green: served (ours, `ready`). Blue: enabled by another process. Amber: on its way. Red: failed. Grey: unknown. */
function classOf(state: string, owned: boolean): ColourClass {
  if (state === 'ready') return 'ok';
  if (state === 'enabled') return owned ? 'ok' : 'foreign';
  if (PENDING_STATES.has(state)) return 'pending';
  if (DOWN_STATES.has(state)) return 'down';
  return 'unknown';
}

/** A stable hue per string (owner processes, subscription types). */
function hueOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 360;
}
const hsl = (hue: number, light = 62): string => `hsl(${hue} 70% ${light}%)`;

/**
 * Owner processes get colours in order of appearance from a palette that stands out on every state colour (magenta,
 * yellow, cyan, white, ...), then hues a golden angle apart.
 */
const OWNER_PALETTE = [
  '#e879f9',
  '#fde047',
  '#22d3ee',
  '#f8fafc',
  '#fb7185',
  '#a3e635',
  '#c4b5fd',
  '#fdba74',
];
const ownerColours = new Map<string, string>();
/** Owners remembered beyond those on the grid (their colours stay while they come back); then the absent go. */
const OWNER_COLOURS_SLACK = 64;
function ownerColour(owner: string): string {
  let colour = ownerColours.get(owner);
  if (colour === undefined) {
    if (ownerColours.size >= ownerCounts.size + OWNER_COLOURS_SLACK) {
      for (const known of ownerColours.keys()) if (!ownerCounts.has(known)) ownerColours.delete(known);
    }
    const n = ownerColours.size;
    colour = OWNER_PALETTE[n] ?? hsl((n * 137.508) % 360, 75);
    ownerColours.set(owner, colour);
  }
  return colour;
}

// ---------------------------------------------------------------------------------------------------------------
// DOM

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} missing`);
  return element;
}
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

const grid = byId('grid', HTMLCanvasElement);
const gridBox = byId('grid-box', HTMLDivElement);
const tooltip = byId('tooltip', HTMLDivElement);
const legend = byId('legend', HTMLUListElement);
const owners = byId('owners', HTMLUListElement);
const connection = byId('connection', HTMLSpanElement);
const conduitLabel = byId('conduit', HTMLSpanElement);
const rateFigure = byId('rate', HTMLSpanElement);
const rateTypes = byId('rate-types', HTMLUListElement);
const lagFigure = byId('lag', HTMLSpanElement);
const deliveryFigure = byId('delivery', HTMLSpanElement);
const helixFigure = byId('helix', HTMLSpanElement);
const subsBody = byId('subscriptions-body', HTMLTableSectionElement);
const subsCost = byId('subscriptions-cost', HTMLSpanElement);
const subsMeter = byId('subscriptions-meter', HTMLMeterElement);
const errorList = byId('errors', HTMLUListElement);
const healthList = byId('health', HTMLUListElement);
const controls = byId('controls', HTMLElement);
const triggerType = byId('trigger-type', HTMLSelectElement);
const triggerCount = byId('trigger-count', HTMLInputElement);
const shardInput = byId('shard-id', HTMLInputElement);
const shardDetails = byId('shard-details', HTMLDivElement);
const controlResult = byId('control-result', HTMLOutputElement);

const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const fmt = (n: number): string => numbers.format(n);

// ---------------------------------------------------------------------------------------------------------------
// State

const token = new URLSearchParams(location.search).get('token');
function apiUrl(path: string): string {
  return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
}

/** Shards by index (a conduit's shard ids are `0` to `shardCount - 1`). */
let shards: (ShardView | undefined)[] = [];
let shardCount = 0;
let classes = new Uint8Array(0);
const CLASS_LIST: readonly ColourClass[] = ['ok', 'pending', 'down', 'foreign', 'unknown'];
const stateCounts = new Map<string, number>();
const ownerCounts = new Map<string, number>();
let kinds: string[] = [];
let health: (HealthReport | null)[] = [];
let subscriptions: SubscriptionsView | null = null;
let errors: (ErrorView & { readonly source: number })[] = [];
let history: DashboardRates[] = [];
let emulator = false;
let tickMs = 1000;

const HISTORY_LIMIT = 300;
const ERRORS_LIMIT = 50;

/** What the next frame draws. */
const dirtyCells = new Set<number>();
let fullGrid = true;
let chartsDirty = true;
let panelsDirty = true;
let legendDirty = true;
let frameRequested = false;

let selected = -1;
let hovered = -1;
let layout = { cols: 1, size: 1, gap: 0, width: 0, height: 0 };

const stats = { snapshots: 0, ticks: 0, frames: 0, fullDraws: 0, cellsDrawn: 0, firstGridMs: -1 };

/** The most shards the page draws (Twitch allows 20,000 per conduit); shard ids are below it. */
const MAX_SHARDS = 1_000_000;

function shardIndex(id: string): number {
  const n = Number(id);
  return Number.isInteger(n) && n >= 0 && n < MAX_SHARDS && String(n) === id ? n : -1;
}

/**
 * A conduit's shard count as the stream sent it, or `null` for what is no count (negative, fractional, huge, not a
 * number): resizing to it would throw half-way (`shards.length = -1`) or allocate and draw a billion cells.
 */
function shardCountOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SHARDS
    ? value
    : null;
}

/**
 * Whether a history entry can be drawn: the charts read `eventsPerSecond` of every entry of the window, so one that
 * is no object would break them (and list an error every tick) until it left the window, 300 ticks later.
 */
function isRates(value: unknown): value is DashboardRates {
  if (typeof value !== 'object' || value === null) return false;
  const perType: unknown = (value as { eventsPerSecond?: unknown }).eventsPerSecond;
  return typeof perType === 'object' && perType !== null;
}

/** Adds `delta` to a name's count; a name that falls to zero is forgotten (names change: states, owner nodes). */
function count(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}

function setShard(view: ShardView): void {
  // A view that is not one (a newer server, a bug) is skipped, never drawn half-way.
  const owner: unknown = view.owner;
  if (typeof view.state !== 'string' || typeof view.id !== 'string') return;
  if (owner !== null && typeof owner !== 'string') return;
  const i = shardIndex(view.id);
  if (i < 0) return;
  if (i >= shards.length) resize(i + 1);
  const old = shards[i];
  if (old !== undefined) {
    count(stateCounts, old.state, -1);
    if (old.owner !== null) count(ownerCounts, old.owner, -1);
  } else count(stateCounts, 'unknown', -1);
  shards[i] = view;
  count(stateCounts, view.state, 1);
  if (view.owner !== null) count(ownerCounts, view.owner, 1);
  classes[i] = CLASS_LIST.indexOf(classOf(view.state, view.owned));
  dirtyCells.add(i);
  legendDirty = true;
}

/** Grows or shrinks the grid to `n` shards; shards not listed yet are `unknown`. */
function resize(n: number): void {
  if (n === shards.length) return;
  for (let i = n; i < shards.length; i++) {
    const old = shards[i];
    count(stateCounts, old === undefined ? 'unknown' : old.state, -1);
    if (old?.owner != null) count(ownerCounts, old.owner, -1);
  }
  count(stateCounts, 'unknown', Math.max(0, n - shards.length));
  shards = shards.slice(0, n);
  shards.length = n;
  const next = new Uint8Array(n).fill(CLASS_LIST.indexOf('unknown'));
  next.set(classes.subarray(0, Math.min(n, classes.length)));
  classes = next;
  shardCount = n;
  if (selected >= n) selected = -1;
  fullGrid = true;
  legendDirty = true;
}

function applySnapshot(snapshot: DashboardSnapshot): void {
  stats.snapshots++;
  const version: number = snapshot.version;
  if (version !== 1) note(`protocol version ${String(version)} (page speaks 1): reload the page`);
  tickMs = snapshot.tickMs > 0 ? snapshot.tickMs : 1000;
  kinds = snapshot.sources.map((s) => s.kind);
  health = snapshot.sources.map((s) => s.health);
  shards = [];
  classes = new Uint8Array(0);
  stateCounts.clear();
  ownerCounts.clear();
  const conduit = snapshot.conduit;
  const listed = conduit === null ? 0 : shardCountOf(conduit.shardCount);
  resize(listed ?? 0);
  if (conduit !== null) for (const view of conduit.shards) setShard(view);
  conduitLabel.textContent =
    conduit === null
      ? 'no conduit'
      : `conduit ${conduit.id ?? '(not yet created)'} · ${fmt(shardCount)} shards`;
  subscriptions = snapshot.subscriptions;
  errors = snapshot.errors.slice(-ERRORS_LIMIT);
  // After the snapshot's errors, which replace the list.
  if (listed === null) note(`a snapshot's shard count is no count: ${String(conduit?.shardCount)}`);
  history = snapshot.history.slice(-HISTORY_LIMIT).filter(isRates);
  emulator = snapshot.emulator;
  controls.hidden = !emulator;
  triggerType.replaceChildren(
    ...snapshot.triggerTypes.map((t) => {
      const option = el('option', `${t.type} v${t.version}`);
      option.value = `${t.type}@${t.version}`;
      return option;
    }),
  );
  dirtyCells.clear();
  fullGrid = chartsDirty = panelsDirty = legendDirty = true;
  schedule();
}

function applyTick(tick: DashboardTick): void {
  stats.ticks++;
  if (tick.conduit !== null) {
    const n = shardCountOf(tick.conduit.shardCount);
    if (n === null) note(`a tick's shard count is no count: ${String(tick.conduit.shardCount)}`);
    else resize(n);
    conduitLabel.textContent = `conduit ${tick.conduit.id ?? '(not yet created)'} · ${fmt(shardCount)} shards`;
  }
  for (const view of tick.shards) setShard(view);
  if (isRates(tick.rates)) history.push(tick.rates);
  else {
    const shown: unknown = JSON.stringify(tick.rates); // undefined for undefined
    note(`a tick's rates are no rates: ${String(shown).slice(0, 200)}`);
  }
  if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
  health = tick.health.slice();
  if (tick.subscriptions !== undefined) subscriptions = tick.subscriptions;
  if (tick.errors.length > 0) errors = errors.concat(tick.errors).slice(-ERRORS_LIMIT);
  chartsDirty = panelsDirty = true;
  schedule();
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing: at most once per animation frame

function schedule(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(frame);
}

function frame(): void {
  frameRequested = false;
  stats.frames++;
  // Each part on its own: one that a bad message breaks leaves the others drawn, and its error is listed. Nothing
  // schedules another frame from here, so a part that keeps failing cannot make the page loop.
  const failures: string[] = [];
  const part = (dirty: boolean, name: string, run: () => void): void => {
    if (!dirty) return;
    try {
      run();
    } catch (error) {
      failures.push(`could not draw the ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  part(fullGrid || dirtyCells.size > 0, 'grid', drawCells);
  dirtyCells.clear();
  part(legendDirty, 'legend', renderLegend);
  part(chartsDirty, 'charts', drawCharts);
  for (const message of failures) {
    errors = errors.concat({ at: Date.now(), code: 'page', message, source: -1 }).slice(-ERRORS_LIMIT);
  }
  part(panelsDirty || failures.length > 0, 'panels', renderPanels);
  legendDirty = chartsDirty = panelsDirty = false;
}

function drawCells(): void {
  if (fullGrid) {
    fullGrid = false;
    drawGrid();
    return;
  }
  const ctx = grid.getContext('2d');
  if (ctx !== null) for (const i of dirtyCells) drawCell(ctx, i);
  stats.cellsDrawn += dirtyCells.size;
  if (hovered >= 0 && dirtyCells.has(hovered)) showTooltip(hovered);
  if (selected >= 0 && dirtyCells.has(selected)) renderSelection();
}

/** Picks the largest cell (2 to 24 px) with which the whole grid fits the box's width and about half the window. */
function computeLayout(): void {
  const width = Math.max(100, Math.floor(gridBox.clientWidth));
  const maxHeight = Math.max(160, Math.floor(window.innerHeight * 0.5));
  const n = Math.max(1, shardCount);
  let size = 24;
  while (size > 2 && Math.ceil(n / Math.floor(width / size)) * size > maxHeight) size--;
  const cols = Math.max(1, Math.floor(width / size));
  const rows = Math.ceil(shardCount / cols);
  layout = { cols, size, gap: size >= 4 ? 1 : 0, width: cols * size, height: Math.max(size, rows * size) };
}

function drawGrid(): void {
  computeLayout();
  const ratio = window.devicePixelRatio || 1;
  grid.style.width = `${layout.width}px`;
  grid.style.height = `${layout.height}px`;
  grid.width = Math.round(layout.width * ratio);
  grid.height = Math.round(layout.height * ratio);
  const ctx = grid.getContext('2d');
  if (ctx === null) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, layout.width, layout.height);
  const { cols, size, gap } = layout;
  const inner = size - gap;
  // One fill colour at a time: 20,000 rectangles cost a few milliseconds this way.
  for (let c = 0; c < CLASS_LIST.length; c++) {
    ctx.fillStyle = CLASS_COLOUR[CLASS_LIST[c] ?? 'unknown'];
    for (let i = 0; i < shardCount; i++) {
      if (classes[i] === c) ctx.fillRect((i % cols) * size, Math.floor(i / cols) * size, inner, inner);
    }
  }
  if (ownerCounts.size > 0 || selected >= 0) {
    for (let i = 0; i < shardCount; i++) if (shards[i]?.owner != null || i === selected) drawCell(ctx, i);
  }
  stats.fullDraws++;
  stats.cellsDrawn += shardCount;
  if (stats.firstGridMs < 0 && stats.snapshots > 0 && shardCount > 0) {
    stats.firstGridMs = performance.now();
    performance.mark('dashboard:first-grid');
  }
}

function drawCell(ctx: CanvasRenderingContext2D, i: number): void {
  if (i >= shardCount) return;
  const { cols, size, gap } = layout;
  const x = (i % cols) * size;
  const y = Math.floor(i / cols) * size;
  const inner = size - gap;
  const colour = CLASS_COLOUR[CLASS_LIST[classes[i] ?? 4] ?? 'unknown'];
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(x, y, size, size);
  let inset = 0;
  if (i === selected) {
    ctx.fillStyle = SELECTED;
    ctx.fillRect(x, y, inner, inner);
    inset = inner >= 4 ? 1 : 0;
  }
  ctx.fillStyle = colour;
  ctx.fillRect(x + inset, y + inset, inner - 2 * inset, inner - 2 * inset);
  const owner = shards[i]?.owner;
  if (owner != null && inner >= 4) {
    // The owner process: a strip along the bottom in the owner's hue (the centre keeps the state's colour).
    const strip = Math.max(1, Math.floor(inner / 4));
    ctx.fillStyle = ownerColour(owner);
    ctx.fillRect(x + inset, y + inner - inset - strip, inner - 2 * inset, strip);
  }
}

function cellRect(i: number): { x: number; y: number; width: number; height: number } | null {
  if (i < 0 || i >= shardCount) return null;
  const { cols, size, gap } = layout;
  return { x: (i % cols) * size, y: Math.floor(i / cols) * size, width: size - gap, height: size - gap };
}

function indexAt(event: MouseEvent): number {
  const rect = grid.getBoundingClientRect();
  const x = event.clientX - rect.left;
  const y = event.clientY - rect.top;
  if (x < 0 || y < 0 || x >= layout.width) return -1;
  const i = Math.floor(y / layout.size) * layout.cols + Math.floor(x / layout.size);
  return i < shardCount ? i : -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Tooltip and selection

const clock = (ms: number | null): string => {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  const ago =
    s < 120
      ? `${s} s`
      : s < 7200
        ? `${Math.round(s / 60)} min`
        : s < 172_800
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86_400)} d`;
  return `${new Date(ms).toLocaleString()} (${ago} ago)`;
};

function describe(i: number): string[] {
  const view = shards[i];
  if (view === undefined) return [`shard ${i}`, 'state: unknown (not listed yet)'];
  return [
    `shard ${view.id}`,
    `state: ${view.state}${view.owned ? ' (ours)' : ''}`,
    `owner: ${view.owner ?? '—'}`,
    `transport: ${view.transport ?? '—'}`,
    `session: ${view.sessionId ?? '—'}`,
    `connected: ${clock(view.connectedAt)}`,
    `disconnected: ${clock(view.disconnectedAt)}`,
  ];
}

function showTooltip(i: number): void {
  tooltip.replaceChildren(...describe(i).map((line) => el('div', line)));
  tooltip.dataset.shard = shards[i]?.id ?? String(i);
  tooltip.dataset.state = shards[i]?.state ?? 'unknown';
  tooltip.hidden = false;
}

grid.addEventListener('mousemove', (event) => {
  const i = indexAt(event);
  if (i !== hovered) {
    hovered = i;
    if (i < 0) tooltip.hidden = true;
    else showTooltip(i);
  }
  if (i >= 0) {
    const box = gridBox.getBoundingClientRect();
    const left = event.clientX - box.left + 14;
    tooltip.style.left = `${Math.min(left, box.width - tooltip.offsetWidth - 4)}px`;
    tooltip.style.top = `${event.clientY - box.top + 14}px`;
  }
});
grid.addEventListener('mouseleave', () => {
  hovered = -1;
  tooltip.hidden = true;
});
grid.addEventListener('click', (event) => {
  const i = indexAt(event);
  if (i >= 0) select(i);
});
shardInput.addEventListener('change', () => {
  const i = shardIndex(shardInput.value.trim());
  if (i >= 0 && i < shardCount) select(i);
});

function select(i: number): void {
  const previous = selected;
  selected = i;
  if (previous >= 0) dirtyCells.add(previous);
  dirtyCells.add(i);
  renderSelection();
  schedule();
}

function renderSelection(): void {
  const id = selected >= 0 ? (shards[selected]?.id ?? String(selected)) : '';
  shardInput.value = id;
  shardDetails.dataset.shard = id;
  shardDetails.replaceChildren(
    ...(selected >= 0 ? describe(selected) : ['click a cell to select a shard']).map((l) => el('div', l)),
  );
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-shard-action]')) {
    button.disabled = selected < 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Legend and panels (DOM text)

function renderLegend(): void {
  const items: HTMLLIElement[] = [];
  let total = 0;
  const states = [...stateCounts.entries()].filter(([, n]) => n > 0);
  states.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [state, n] of states) {
    total += n;
    const item = el('li');
    const swatch = el('span', undefined, 'swatch');
    swatch.style.background = CLASS_COLOUR[classOf(state, state !== 'enabled')];
    item.append(swatch, el('span', state), el('b', fmt(n)));
    item.dataset.state = state;
    item.dataset.count = String(n);
    items.push(item);
  }
  legend.replaceChildren(...items);
  // Only the states shown keep an attribute: states come and go (a hostile stream can send a new one every tick).
  for (const name of legend.getAttributeNames()) {
    if (name.startsWith('data-count-')) legend.removeAttribute(name);
  }
  for (const [state, n] of states) legend.setAttribute(`data-count-${attributeName(state)}`, String(n));
  legend.dataset.total = String(total);
  const ownerItems = [...ownerCounts.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([owner, n]) => {
      const item = el('li');
      const swatch = el('span', undefined, 'swatch');
      swatch.style.background = ownerColour(owner);
      item.append(swatch, el('span', owner), el('b', fmt(n)));
      item.dataset.owner = owner;
      return item;
    });
  owners.replaceChildren(...ownerItems);
  owners.hidden = ownerItems.length === 0;
}

/** A state as an attribute name (`websocket_disconnected` stays; anything odd becomes `-`). */
const attributeName = (state: string): string => state.toLowerCase().replace(/[^a-z0-9_-]/g, '-');

function renderPanels(): void {
  // Subscriptions by type, version and status, with their cost against max_total_cost.
  if (subscriptions === null) {
    subsBody.replaceChildren(row(['no subscription listing'], 4));
    subsCost.textContent = '—';
    subsMeter.value = 0;
  } else {
    const counts = [...subscriptions.counts].sort(
      (a, b) => a.type.localeCompare(b.type) || b.count - a.count,
    );
    subsBody.replaceChildren(
      ...counts.map((c) => {
        const tr = row([`${c.type} v${c.version}`, c.status, fmt(c.count), fmt(c.cost)]);
        tr.dataset.status = c.status;
        return tr;
      }),
    );
    const max = subscriptions.maxTotalCost;
    subsCost.textContent = `${fmt(subscriptions.total)} subscriptions · cost ${fmt(subscriptions.totalCost)} / ${
      max === null ? '?' : fmt(max)
    }`;
    subsCost.dataset.total = String(subscriptions.total);
    subsCost.dataset.cost = String(subscriptions.totalCost);
    subsMeter.max = max ?? Math.max(1, subscriptions.totalCost);
    subsMeter.value = subscriptions.totalCost;
  }
  // Recent errors, newest first.
  errorList.replaceChildren(
    ...errors
      .slice()
      .reverse()
      .map((e) => {
        const item = el('li');
        item.append(
          el('time', new Date(e.at).toLocaleTimeString()),
          el('span', e.source < 0 ? 'page' : (kinds[e.source] ?? `source ${e.source}`), 'kind'),
          el('code', e.code),
          el('span', e.message, 'message'),
        );
        return item;
      }),
  );
  if (errors.length === 0) errorList.replaceChildren(el('li', 'none', 'none'));
  // Health of every source.
  healthList.replaceChildren(
    ...health.map((h, i) => {
      const item = el('li');
      item.append(el('b', kinds[i] ?? `source ${i}`));
      if (h === null) item.append(el('span', 'no health check', 'badge'));
      else {
        item.append(
          el('span', h.live ? 'live' : 'not live', h.live ? 'badge good' : 'badge bad'),
          el('span', h.ready ? 'ready' : 'not ready', h.ready ? 'badge good' : 'badge bad'),
        );
        for (const reason of h.reasons) item.append(el('div', reason, 'reason'));
        item.dataset.live = String(h.live);
        item.dataset.ready = String(h.ready);
      }
      return item;
    }),
  );
}

function row(cells: readonly string[], span?: number): HTMLTableRowElement {
  const tr = el('tr');
  for (const cell of cells) {
    const td = el('td', cell);
    if (span !== undefined) td.colSpan = span;
    tr.append(td);
  }
  return tr;
}

// ---------------------------------------------------------------------------------------------------------------
// Charts: a few canvas lines over the history

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly (number | null)[];
}

/** Lines (or stacked areas) over `HISTORY_LIMIT` points, scaled to the largest value; the label says the maximum. */
function drawChart(
  canvas: HTMLCanvasElement,
  series: readonly Series[],
  stacked: boolean,
  unit: string,
): void {
  const width = Math.max(100, canvas.parentElement?.clientWidth ?? 300);
  const height = 110;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const points = series[0]?.values.length ?? 0;
  const base = new Float64Array(points);
  let max = 0;
  for (const s of series) {
    for (let i = 0; i < points; i++) {
      const v = (s.values[i] ?? 0) + (stacked ? (base[i] ?? 0) : 0);
      if (stacked) base[i] = v;
      if (v > max) max = v;
    }
  }
  const top = 14;
  const plot = height - top - 2;
  const scale = max > 0 ? plot / (max * 1.1) : 0;
  // The newest point at the right edge; a short history fills from the right.
  const step = width / (Math.max(points, 60) - 1);
  const xAt = (i: number): number => width - (points - 1 - i) * step;
  ctx.strokeStyle = '#2a3038';
  ctx.beginPath();
  ctx.moveTo(0, height - 1.5);
  ctx.lineTo(width, height - 1.5);
  ctx.stroke();
  base.fill(0);
  for (const s of series) {
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < points; i++) {
      const raw = s.values[i];
      if (raw === null || raw === undefined) {
        if (!stacked) started = false;
        continue;
      }
      const v = raw + (stacked ? (base[i] ?? 0) : 0);
      const x = xAt(i);
      const y = height - 2 - v * scale;
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    if (stacked && points > 0) {
      for (let i = points - 1; i >= 0; i--) ctx.lineTo(xAt(i), height - 2 - (base[i] ?? 0) * scale);
      ctx.closePath();
      ctx.fillStyle = s.colour;
      ctx.globalAlpha = 0.75;
      ctx.fill();
      ctx.globalAlpha = 1;
      for (let i = 0; i < points; i++) base[i] = (base[i] ?? 0) + (s.values[i] ?? 0);
    } else {
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
  ctx.fillStyle = '#8b949e';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(`max ${fmt(max)}${unit}`, 4, 11);
}

const totalRate = (r: DashboardRates): number => {
  let total = 0;
  for (const type in r.eventsPerSecond) total += r.eventsPerSecond[type] ?? 0;
  return total;
};

function drawCharts(): void {
  const last = history[history.length - 1];
  // Events per second by type: the 6 busiest types of the window, the rest as "other", stacked.
  const byType = new Map<string, number>();
  for (const r of history)
    for (const type in r.eventsPerSecond) count(byType, type, r.eventsPerSecond[type] ?? 0);
  const top = [...byType.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([type]) => type);
  const series: Series[] = top.map((type) => ({
    name: type,
    colour: hsl(hueOf(type), 58),
    values: history.map((r) => r.eventsPerSecond[type] ?? 0),
  }));
  if (byType.size > top.length) {
    series.push({
      name: 'other',
      colour: '#59616b',
      values: history.map((r) => totalRate(r) - top.reduce((sum, t) => sum + (r.eventsPerSecond[t] ?? 0), 0)),
    });
  }
  drawChart(byId('chart-rate', HTMLCanvasElement), series, true, '/s');
  const rate = last === undefined ? 0 : totalRate(last);
  rateFigure.textContent = `${fmt(rate)} events/s`;
  rateFigure.dataset.rate = String(rate);
  rateTypes.replaceChildren(
    ...series.map((s) => {
      const item = el('li');
      const swatch = el('span', undefined, 'swatch');
      swatch.style.background = s.colour;
      item.append(swatch, el('span', s.name), el('b', fmt(s.values[s.values.length - 1] ?? 0)));
      return item;
    }),
  );
  // Delivery lag (ms).
  const ms = (v: number | null): number | null => (v === null ? null : v * 1000);
  drawChart(
    byId('chart-lag', HTMLCanvasElement),
    [
      { name: 'p50', colour: '#4c8df6', values: history.map((r) => ms(r.lagP50)) },
      { name: 'p99', colour: '#f2a93b', values: history.map((r) => ms(r.lagP99)) },
    ],
    false,
    ' ms',
  );
  lagFigure.textContent =
    last === undefined || last.lagP50 === null
      ? 'p50 — · p99 —'
      : `p50 ${fmt(last.lagP50 * 1000)} ms · p99 ${fmt((last.lagP99 ?? 0) * 1000)} ms`;
  lagFigure.dataset.lagP50 = String(last?.lagP50 ?? '');
  lagFigure.dataset.lagP99 = String(last?.lagP99 ?? '');
  // Duplicates, reconnects, handler errors per interval.
  drawChart(
    byId('chart-delivery', HTMLCanvasElement),
    [
      { name: 'duplicates', colour: '#a371f7', values: history.map((r) => r.duplicates) },
      { name: 'reconnects', colour: '#f2a93b', values: history.map((r) => r.reconnects) },
      { name: 'handler errors', colour: '#e5484d', values: history.map((r) => r.handlerErrors) },
    ],
    false,
    '',
  );
  const sum = (pick: (r: DashboardRates) => number): number => history.reduce((s, r) => s + pick(r), 0);
  const duplicates = sum((r) => r.duplicates);
  const reconnects = sum((r) => r.reconnects);
  const handlerErrors = sum((r) => r.handlerErrors);
  deliveryFigure.textContent = `${fmt(duplicates)} duplicates · ${fmt(reconnects)} reconnects · ${fmt(handlerErrors)} handler errors`;
  deliveryFigure.dataset.duplicates = String(duplicates);
  deliveryFigure.dataset.reconnects = String(reconnects);
  // The Helix budget: remaining points, and 429s.
  drawChart(
    byId('chart-helix', HTMLCanvasElement),
    [{ name: 'remaining', colour: '#2fbf71', values: history.map((r) => r.helixRemaining) }],
    false,
    ' points',
  );
  drawChart(
    byId('chart-429', HTMLCanvasElement),
    [
      { name: '429', colour: '#e5484d', values: history.map((r) => r.helixRateLimited) },
      { name: '5xx', colour: '#a371f7', values: history.map((r) => r.helixServerErrors) },
    ],
    false,
    '',
  );
  const limited = sum((r) => r.helixRateLimited);
  const requests = sum((r) => r.helixRequests);
  helixFigure.textContent = `remaining ${last?.helixRemaining == null ? '—' : fmt(last.helixRemaining)} · ${fmt(
    requests,
  )} requests · ${fmt(limited)} × 429`;
  helixFigure.dataset.remaining = String(last?.helixRemaining ?? '');
  helixFigure.dataset.rateLimited = String(limited);
}

// ---------------------------------------------------------------------------------------------------------------
// The stream: one EventSource, reopened with backoff

let source: EventSource | null = null;
let attempt = 0;
let lastMessageAt = 0;

function setConnection(state: 'connecting' | 'live' | 'reconnecting', text: string): void {
  connection.dataset.state = state;
  connection.textContent = text;
}

/** A problem of the page itself (an unreadable message): listed with the sources' errors, as source -1. */
function note(text: string): void {
  errors = errors.concat({ at: Date.now(), code: 'page', message: text, source: -1 }).slice(-ERRORS_LIMIT);
  panelsDirty = true;
  schedule();
}

function parse(event: Event): unknown {
  try {
    return JSON.parse((event as MessageEvent<string>).data);
  } catch {
    note(`unreadable ${event.type} message`);
    return null;
  }
}

function connect(): void {
  setConnection('connecting', 'connecting…');
  const es = new EventSource(apiUrl('api/stream'));
  source = es;
  es.addEventListener('snapshot', (event) => {
    const snapshot = parse(event) as DashboardSnapshot | null;
    if (snapshot === null) return;
    lastMessageAt = Date.now();
    attempt = 0;
    setConnection('live', 'live');
    guard(() => {
      applySnapshot(snapshot);
    });
  });
  es.addEventListener('tick', (event) => {
    const tick = parse(event) as DashboardTick | null;
    if (tick === null) return;
    lastMessageAt = Date.now();
    guard(() => {
      applyTick(tick);
    });
  });
  es.addEventListener('error', () => {
    reopen();
  });
}

/** A malformed message must not stop the page: it is noted and the page keeps its last good state. */
function guard(apply: () => void): void {
  try {
    apply();
  } catch (error) {
    note(`could not apply a message: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function reopen(): void {
  source?.close();
  source = null;
  const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.75 + Math.random() * 0.5);
  attempt++;
  setConnection('reconnecting', `reconnecting in ${fmt(delay / 1000)} s`);
  setTimeout(connect, delay);
}

// A stream that stays silent for many ticks (a proxy that stopped forwarding) is reopened.
setInterval(() => {
  if (source !== null && lastMessageAt > 0 && Date.now() - lastMessageAt > Math.max(30_000, 10 * tickMs)) {
    lastMessageAt = 0;
    reopen();
  }
}, 5_000);

// ---------------------------------------------------------------------------------------------------------------
// Emulator controls

async function post(label: string, path: string, body: unknown): Promise<void> {
  controlResult.dataset.state = 'pending';
  controlResult.textContent = `${label}…`;
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = (await response.json().catch(() => null)) as {
      ok?: boolean;
      error?: { code?: string; message?: string };
    } | null;
    if (response.ok && answer?.ok === true) {
      controlResult.dataset.state = 'ok';
      controlResult.textContent = `${label}: done`;
    } else {
      controlResult.dataset.state = 'error';
      const why = answer?.error?.message ?? `HTTP ${response.status}`;
      controlResult.textContent = `${label}: ${answer?.error?.code ?? 'failed'}: ${why}`;
    }
  } catch (error) {
    controlResult.dataset.state = 'error';
    controlResult.textContent = `${label}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

byId('trigger', HTMLButtonElement).addEventListener('click', () => {
  const [type = '', version = '1'] = triggerType.value.split('@');
  const n = Math.min(1000, Math.max(1, Math.floor(Number(triggerCount.value)) || 1));
  void post(`trigger ${n} × ${type}`, 'api/emulator/trigger', { type, version, count: n });
});
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-shard-action]')) {
  button.addEventListener('click', () => {
    const id = shards[selected]?.id ?? (selected >= 0 ? String(selected) : null);
    const action = button.dataset.shardAction ?? '';
    if (id === null) return;
    void post(`${action} shard ${id}`, `api/emulator/shards/${encodeURIComponent(id)}/${action}`, {});
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Start, and the test hook

window.addEventListener('resize', () => {
  fullGrid = chartsDirty = true;
  schedule();
});

/**
 * Test-only, read-only: where a shard's cell is on the grid canvas (CSS pixels, relative to the canvas), so that a
 * browser test or the bench can read the colour a person sees there; and the page's drawing counters. Not an API.
 */
interface DashboardTestHook {
  cellAt(shardId: string): { x: number; y: number; width: number; height: number } | null;
  stats(): Readonly<typeof stats> & { shardCount: number; cellSize: number; names: number };
}
declare global {
  interface Window {
    __twitchRealtimeDashboard?: DashboardTestHook;
  }
}
window.__twitchRealtimeDashboard = Object.freeze({
  cellAt: (shardId: string) => cellRect(shardIndex(shardId)),
  stats: () => ({
    ...stats,
    shardCount,
    cellSize: layout.size,
    // Names the page keeps (states, owners, owner colours, legend attributes): bounded by what is on the grid.
    names: stateCounts.size + ownerCounts.size + ownerColours.size + legend.getAttributeNames().length,
  }),
});

renderSelection();
connect();

export {};
