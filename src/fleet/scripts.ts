/**
 * The Lua scripts of the shard leases (internal), and the parsing of their replies. Every script takes the same seven
 * keys, all under one hash tag (`tr:{<fleet>}:`, so that a Redis Cluster keeps them on one slot), and the same first
 * three arguments:
 *
 * - `KEYS[1]` this node's key (`node:<id>`, value: its incarnation, with a TTL: the node's liveness),
 * - `KEYS[2]` the set of registered node ids (`nodes`),
 * - `KEYS[3]` the owners hash (`owners`: shard id → `node|incarnation`),
 * - `KEYS[4]` the leader lease (`leader`: `node|incarnation`, with a TTL),
 * - `KEYS[5]` the fencing-token counter (`token`),
 * - `KEYS[6]` the view's version (`version`: bumped by every change of owners or of the live nodes, so that a
 *   renewal that finds it unchanged skips the scan of `owners`; the bound marks do not bump it),
 * - `KEYS[7]` the leases hash (`leases`: shard id → `token|state`, state `claimed` or `bound`);
 * - `ARGV[1]` the key prefix, `ARGV[2]` the node id, `ARGV[3]` its incarnation.
 *
 * Owners and leases are two hashes so that the scan of a renewal compares each owner with the live nodes without
 * parsing it. Other nodes' keys (`<prefix>node:<id>`) are read by name inside the scripts: they share the hash tag,
 * hence the slot. A shard is free when it has no owner or its owner is not live (not in `nodes`, or its key is gone
 * or holds another incarnation). Liveness is judged by Redis's own clock (key TTLs): no clock is compared across
 * hosts.
 */
import { badReply } from './redis.js';
import { RedisScript } from './redis.js';

const PRELUDE = `
local P, NODE, INC = ARGV[1], ARGV[2], ARGV[3]
local ME = NODE .. '|' .. INC
local function owner(v)
  if not v then return nil end
  return string.match(v, '^([^|]*)|(.*)$')
end
local function alive(n, i)
  return redis.call('SISMEMBER', KEYS[2], n) == 1 and redis.call('GET', P .. 'node:' .. n) == i
end
local function token()
  if redis.call('EXISTS', KEYS[5]) == 0 then
    local t = redis.call('TIME')
    redis.call('SET', KEYS[5], t[1] .. string.format('%06d', tonumber(t[2])))
  end
  return redis.call('INCR', KEYS[5])
end
local function fmt(n) return string.format('%.0f', n) end
local function bump() redis.call('INCR', KEYS[6]) end
local function take(s, tok, st)
  redis.call('HSET', KEYS[3], s, ME)
  redis.call('HSET', KEYS[7], s, fmt(tok) .. '|' .. st)
end
`;

/**
 * Registers a new incarnation and takes back (sticky) the shards it still serves that no live node holds.
 * `ARGV[4]` TTL, `ARGV[5]` the previous incarnation (or ''), then pairs: shard id, state to write.
 * Reply: `{ leader, kept[], lost[], token }`.
 */
export const REGISTER = new RedisScript(`${PRELUDE}
local ttl, old = ARGV[4], ARGV[5]
redis.call('SET', KEYS[1], INC, 'PX', ttl)
redis.call('SADD', KEYS[2], NODE)
local l = redis.call('GET', KEYS[4])
if (not l) or l == NODE .. '|' .. old then
  redis.call('SET', KEYS[4], ME, 'PX', ttl)
  l = ME
end
bump()
local kept, lost, tok = {}, {}, nil
for i = 6, #ARGV, 2 do
  local s, st = ARGV[i], ARGV[i + 1]
  local n, vi = owner(redis.call('HGET', KEYS[3], s))
  if n and alive(n, vi) then
    lost[#lost + 1] = s
  else
    tok = tok or token()
    take(s, tok, st)
    kept[#kept + 1] = s
  end
end
return { l, kept, lost, tok or 0 }
`);

/**
 * The renewal: one round trip per node per period. Checks the incarnation, extends the node key (and the leader
 * lease when held, or takes it when free), drops dead nodes from `nodes`, and returns the view the planner needs.
 * `ARGV[4]` TTL, `ARGV[5]` the shard count this node knows, `ARGV[6]` the version of its last full view ('' for
 * none). Reply: `{0}` (the incarnation is gone: re-register), `{ 3, incarnation }` (the node key holds
 * another incarnation: this node id was registered again, elsewhere or by a lost registration of this node), `{ 2, leader, version }` (nothing changed since that
 * version), or `{ 1, leader, [node, load]..., [shard, token, state]... of this node, free shards[], version }`.
 */
export const RENEW = new RedisScript(`${PRELUDE}
local ttl, count = ARGV[4], tonumber(ARGV[5])
local cur = redis.call('GET', KEYS[1])
if cur ~= INC then return cur and { 3, cur } or { 0 } end
if redis.call('SISMEMBER', KEYS[2], NODE) == 0 then return { 0 } end
redis.call('PEXPIRE', KEYS[1], ttl)
local l = redis.call('GET', KEYS[4])
if l == ME then
  redis.call('PEXPIRE', KEYS[4], ttl)
elseif not l then
  redis.call('SET', KEYS[4], ME, 'PX', ttl)
  l = ME
end
local live, ids, loads = {}, {}, {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local v = redis.call('GET', P .. 'node:' .. n)
  if v then
    live[n .. '|' .. v] = n
    ids[#ids + 1] = n
    loads[n] = 0
  else
    redis.call('SREM', KEYS[2], n)
    bump()
  end
end
local version = redis.call('GET', KEYS[6]) or '0'
if version == ARGV[6] then return { 2, l, version } end
local mineIds, taken, held = {}, {}, 0
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local n = live[all[i + 1]]
  if n then
    loads[n] = loads[n] + 1
    taken[all[i]] = true
    held = held + 1
    if n == NODE then mineIds[#mineIds + 1] = all[i] end
  end
end
local mine = {}
for from = 1, #mineIds, 1000 do
  local to = math.min(from + 999, #mineIds)
  local leases = redis.call('HMGET', KEYS[7], unpack(mineIds, from, to))
  for i = from, to do
    local t, st = string.match(leases[i - from + 1] or '', '^([^|]*)|(.*)$')
    mine[#mine + 1] = mineIds[i]
    mine[#mine + 1] = t or '0'
    mine[#mine + 1] = st or 'claimed'
  end
end
local free = {}
if held < count then
  for s = 0, count - 1 do
    local k = tostring(s)
    if not taken[k] then free[#free + 1] = k end
  end
end
local flat = {}
for _, n in ipairs(ids) do
  flat[#flat + 1] = n
  flat[#flat + 1] = loads[n]
end
return { 1, l, flat, mine, free, version }
`);

/**
 * Claims free shards (one fencing token for the batch). `ARGV[4..]` shard ids.
 * Reply: `{0}` (incarnation gone), `{ 3, incarnation }` (as in {@link RENEW}) or `{ 1, token, claimed[] }`.
 */
export const CLAIM = new RedisScript(`${PRELUDE}
local cur = redis.call('GET', KEYS[1])
if cur ~= INC then return cur and { 3, cur } or { 0 } end
local got, tok = {}, nil
for i = 4, #ARGV do
  local s = ARGV[i]
  local n, vi = owner(redis.call('HGET', KEYS[3], s))
  if not (n and alive(n, vi)) then
    tok = tok or token()
    take(s, tok, 'claimed')
    got[#got + 1] = s
  end
end
if #got > 0 then bump() end
return { 1, tok or 0, got }
`);

/**
 * Steals bound shards from live nodes (compare-and-set on each entry: only entries the victim holds now, bound),
 * leaving each victim at least `keep` shards. `ARGV[4..]` triples: victim node id, how many, keep.
 * Reply: `{0}`, `{ 3, incarnation }` or `{ 1, token, stolen[] }`.
 */
export const STEAL = new RedisScript(`${PRELUDE}
local cur = redis.call('GET', KEYS[1])
if cur ~= INC then return cur and { 3, cur } or { 0 } end
local want, any = {}, false
for i = 4, #ARGV, 3 do
  local victim = ARGV[i]
  local vi = redis.call('GET', P .. 'node:' .. victim)
  if vi and victim ~= NODE and redis.call('SISMEMBER', KEYS[2], victim) == 1 then
    want[victim .. '|' .. vi] = { count = tonumber(ARGV[i + 1]), keep = tonumber(ARGV[i + 2]), held = {} }
    any = true
  end
end
local got, tok = {}, nil
if not any then return { 1, 0, got } end
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local w = want[all[i + 1]]
  if w then w.held[#w.held + 1] = all[i] end
end
for _, w in pairs(want) do
  local n = math.min(w.count, #w.held - w.keep)
  for _, s in ipairs(w.held) do
    if n <= 0 then break end
    local lease = redis.call('HGET', KEYS[7], s)
    if lease and string.sub(lease, -6) == '|bound' then
      tok = tok or token()
      take(s, tok, 'claimed')
      got[#got + 1] = s
      n = n - 1
    end
  end
end
if #got > 0 then bump() end
return { 1, tok or 0, got }
`);

/**
 * Marks claimed leases `bound` (the new owner bound the shard on Twitch): the old owner then closes its transport.
 * `ARGV[4..]` pairs: shard id, token. Reply: how many were marked.
 */
export const BOUND = new RedisScript(`${PRELUDE}
local marked = 0
for i = 4, #ARGV, 2 do
  local s, t = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', KEYS[3], s) == ME and redis.call('HGET', KEYS[7], s) == t .. '|claimed' then
    redis.call('HSET', KEYS[7], s, t .. '|bound')
    marked = marked + 1
  end
end
return marked
`);

/**
 * Each shard's owner and lease, `node|incarnation|token|state` (or '' for none). `ARGV[4..]` shard ids.
 */
export const ENTRIES = new RedisScript(`${PRELUDE}
local out = {}
for i = 4, #ARGV do
  local o = redis.call('HGET', KEYS[3], ARGV[i])
  local l = redis.call('HGET', KEYS[7], ARGV[i])
  out[#out + 1] = (o and l) and (o .. '|' .. l) or ''
end
return out
`);

/**
 * Leaves the fleet at once: the node key, its membership and the leader lease (when held) are deleted, so that its
 * shards are free for the others' next renewal. Reply: 1.
 */
export const LEAVE = new RedisScript(`${PRELUDE}
local cur = redis.call('GET', KEYS[1])
if cur == INC then redis.call('DEL', KEYS[1]) end
-- (a node id registered again by another process stays a member)
if (not cur) or cur == INC then redis.call('SREM', KEYS[2], NODE) end
if redis.call('GET', KEYS[4]) == ME then redis.call('DEL', KEYS[4]) end
bump()
return 1
`);

/** Removes the owners and leases of shards at or above a new shard count. `ARGV[4]` the count. Reply: how many. */
export const TRIM = new RedisScript(`${PRELUDE}
local count = tonumber(ARGV[4])
local removed = 0
for _, s in ipairs(redis.call('HKEYS', KEYS[3])) do
  local n = tonumber(s)
  if n == nil or n >= count then
    redis.call('HDEL', KEYS[3], s)
    redis.call('HDEL', KEYS[7], s)
    removed = removed + 1
  end
end
if removed > 0 then bump() end
return removed
`);

// ---- replies ------------------------------------------------------------------------------------------------

/** A lease entry of the owners hash. */
export interface Entry {
  readonly node: string;
  readonly incarnation: string;
  readonly token: string;
  readonly state: string;
}

/** Parses `node|incarnation|token|state`; `null` for anything else. */
export function parseEntry(value: unknown): Entry | null {
  if (typeof value !== 'string') return null;
  const parts = value.split('|');
  if (parts.length !== 4) return null;
  const [node = '', incarnation = '', token = '', state = ''] = parts;
  return { node, incarnation, token, state };
}

/** The node key holds another incarnation than the one the script was called for. */
export interface Displaced {
  readonly displacedBy: string;
}

export interface RenewView {
  /** The version of the view (see `KEYS[6]`). */
  readonly version: string;
  /** `node|incarnation` of the leader. */
  readonly leader: string;
  /** Live nodes and their loads. */
  readonly loads: Map<string, number>;
  /** This incarnation's entries: shard → token, state. */
  readonly mine: Map<string, { token: string; state: string }>;
  readonly free: string[];
}

function strings(value: unknown, command: string, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badReply(command, what);
  return value;
}

function tokenOf(value: unknown, command: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  throw badReply(command, 'a fencing token');
}

/**
 * The reply of {@link RENEW}: `null` when the incarnation is gone, a {@link Displaced} when the node key holds another
 * incarnation; `{ unchanged }` with the leader when the view is
 * the one of `version` given.
 */
export function parseRenew(
  reply: unknown,
): RenewView | { readonly unchanged: true; readonly leader: string } | Displaced | null {
  const command = 'EVALSHA renew';
  if (!Array.isArray(reply) || reply.length === 0) throw badReply(command, 'a renewal reply');
  if (reply[0] === 0) return null;
  if (reply[0] === 3) {
    if (typeof reply[1] !== 'string') throw badReply(command, 'an incarnation');
    return { displacedBy: reply[1] };
  }
  if (reply[0] === 2) {
    if (typeof reply[1] !== 'string') throw badReply(command, 'a renewal reply');
    return { unchanged: true, leader: reply[1] };
  }
  const [ok, leader, flat, mineFlat, free, version] = reply as unknown[];
  if (
    ok !== 1 ||
    typeof leader !== 'string' ||
    typeof version !== 'string' ||
    !Array.isArray(flat) ||
    flat.length % 2 !== 0
  ) {
    throw badReply(command, 'a renewal reply');
  }
  const loads = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) {
    const node: unknown = flat[i];
    const load: unknown = flat[i + 1];
    if (typeof node !== 'string' || typeof load !== 'number') throw badReply(command, 'node loads');
    loads.set(node, load);
  }
  const entries = strings(mineFlat, command, 'lease entries');
  if (entries.length % 3 !== 0) throw badReply(command, 'lease entries');
  const mine = new Map<string, { token: string; state: string }>();
  for (let i = 0; i < entries.length; i += 3) {
    mine.set(entries[i] ?? '', { token: entries[i + 1] ?? '', state: entries[i + 2] ?? '' });
  }
  return { version, leader, loads, mine, free: strings(free, command, 'free shards') };
}

/** The reply of {@link CLAIM} and {@link STEAL}: `null` when the incarnation is gone ({@link Displaced}: as in RENEW). */
export function parseTaken(
  reply: unknown,
  command: string,
): { token: string; shards: string[] } | Displaced | null {
  if (!Array.isArray(reply) || reply.length === 0) throw badReply(command, 'a claim reply');
  if (reply[0] === 0) return null;
  if (reply[0] === 3) {
    if (typeof reply[1] !== 'string') throw badReply(command, 'an incarnation');
    return { displacedBy: reply[1] };
  }
  if (reply[0] !== 1 || reply.length !== 3) throw badReply(command, 'a claim reply');
  return { token: tokenOf(reply[1], command), shards: strings(reply[2], command, 'shard ids') };
}

/** The reply of {@link REGISTER}. */
export function parseRegister(reply: unknown): {
  leader: string;
  kept: string[];
  lost: string[];
  token: string;
} {
  const command = 'EVALSHA register';
  if (!Array.isArray(reply) || reply.length !== 4 || typeof reply[0] !== 'string') {
    throw badReply(command, 'a registration reply');
  }
  return {
    leader: reply[0],
    kept: strings(reply[1], command, 'shard ids'),
    lost: strings(reply[2], command, 'shard ids'),
    token: tokenOf(reply[3], command),
  };
}
