/**
 * A real `redis-server` of the test's own: the same server the fleet demo starts for a run
 * (src/cli/demo/fleet/redis-server.ts: a free loopback port, a temporary directory, no persistence, killed when the
 * process exits), plus connections that `stop()` closes. Never a shared or pre-existing server. `.ci/run` installs
 * Debian's `redis-server` when it is missing; `REDIS_SERVER` names another binary (Valkey's `valkey-server` works
 * too).
 *
 * `freeze()`/`thaw()` stop and resume the server process (SIGSTOP/SIGCONT): connections stay open and nothing
 * answers, as in a partition. `restart()` kills it (as a crash) and starts it again on the same port, empty.
 */
import { startRunRedis } from '../../src/cli/demo/fleet/redis-server.js';
import { connectRedis, type OwnedRedisConnection } from '../../src/fleet/redis.js';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** A new connection (closed by `stop()` if still open). */
  connect(): Promise<OwnedRedisConnection>;
  freeze(): void;
  thaw(): void;
  /** Stops the server (SIGKILL, as a crash) and starts it again, empty, on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a fresh server. */
export async function startRedis(): Promise<TestRedis> {
  const server = await startRunRedis();
  const connections = new Set<OwnedRedisConnection>();
  return {
    port: server.port,
    url: server.url,
    async connect() {
      const connection = await connectRedis(server.url);
      connections.add(connection);
      return connection;
    },
    freeze: () => {
      server.freeze();
    },
    thaw: () => {
      server.thaw();
    },
    restart: () => server.restart(),
    async stop() {
      await Promise.all([...connections].map((c) => c.close()));
      await server.stop();
    },
  };
}
