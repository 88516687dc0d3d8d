import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRedis, connectRedis, RedisScript, type RedisConnection } from '../../src/fleet/redis.js';
import { RedisError } from '../../src/fleet/errors.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { FakeClock } from '../support/clock.js';

let server: TestRedis;
let redis: RedisConnection;

beforeAll(async () => {
  server = await startRedis();
  redis = await server.connect();
});
afterAll(async () => {
  await server.stop();
});

describe('callRedis', () => {
  it('sends a command and resolves with its reply', async () => {
    expect(await callRedis(redis, ['SET', 'k', 'v'], { timeoutMs: 2000 })).toBe('OK');
    expect(await callRedis(redis, ['GET', 'k'], { timeoutMs: 2000 })).toBe('v');
  });

  it('rejects an error reply with REDIS_COMMAND_FAILED naming the command, not its arguments', async () => {
    const error = await callRedis(redis, ['INCR', 'k'], { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).code).toBe('REDIS_COMMAND_FAILED');
    expect((error as RedisError).command).toBe('INCR');
  });

  it('rejects with REDIS_TIMEOUT when no reply comes in time, and ignores the late one', async () => {
    const clock = new FakeClock();
    const never: RedisConnection = { sendCommand: () => new Promise(() => undefined) };
    const call = callRedis(never, ['PING', 'secret-token'], { timeoutMs: 500, clock });
    clock.advance(500);
    const error = (await call.catch((e: unknown) => e)) as RedisError;
    expect(error.code).toBe('REDIS_TIMEOUT');
    expect(error.message).not.toContain('secret-token');
  });

  it("keeps no client error's extra properties: ioredis's err.command.args would put a token in inspect()", async () => {
    // ioredis attaches { name, args } to every error reply (and to the errors of commands aborted by a lost
    // connection): the args of the token store's save script hold the token.
    const ioredisLike: RedisConnection = {
      sendCommand: (args) =>
        Promise.reject(
          Object.assign(new Error('OOM command not allowed when used memory > maxmemory.'), {
            name: 'ReplyError',
            command: { name: 'evalsha', args: args.slice(1) },
          }),
        ),
    };
    const error = (await callRedis(ioredisLike, ['EVALSHA', 'sha', '1', 'k', 'secret-token'], {
      timeoutMs: 500,
    }).catch((e: unknown) => e)) as RedisError;
    expect(error.code).toBe('REDIS_COMMAND_FAILED');
    // What a logger shows of an error and its cause (console.error(err.cause), a serializer walking the chain).
    expect(inspect(error, { depth: 10 })).not.toContain('secret-token');
    expect(inspect(error.cause)).not.toContain('secret-token');
    expect(JSON.stringify({ ...(error.cause as object) })).not.toContain('secret-token');
    expect(inspect(error)).toContain('OOM command not allowed'); // the reason is kept
    expect((error.cause as Error).name).toBe('ReplyError');
  });

  it('turns a client that throws synchronously into REDIS_COMMAND_FAILED', async () => {
    const throwing: RedisConnection = {
      sendCommand: () => {
        throw new Error('boom');
      },
    };
    const error = (await callRedis(throwing, ['PING'], { timeoutMs: 500 }).catch(
      (e: unknown) => e,
    )) as RedisError;
    expect(error.code).toBe('REDIS_COMMAND_FAILED');
  });
});

describe('RedisScript', () => {
  it('falls back to EVAL on NOSCRIPT, then runs by EVALSHA (also after the cache is flushed)', async () => {
    const script = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    expect(await script.run(redis, ['n'], ['2'], { timeoutMs: 2000 })).toBe(2);
    const cached = await callRedis(redis, ['SCRIPT', 'EXISTS', script.sha], { timeoutMs: 2000 });
    expect(cached).toEqual([1]);
    expect(await script.run(redis, ['n'], ['3'], { timeoutMs: 2000 })).toBe(5);
    await callRedis(redis, ['SCRIPT', 'FLUSH'], { timeoutMs: 2000 });
    expect(await script.run(redis, ['n'], ['1'], { timeoutMs: 2000 })).toBe(6);
  });
});

describe('connectRedis', () => {
  it('rejects with REDIS_COMMAND_FAILED when nothing listens, without the URL credentials', async () => {
    const error = (await connectRedis('redis://user:hunter2@127.0.0.1:1', { connectTimeoutMs: 500 }).catch(
      (e: unknown) => e,
    )) as RedisError;
    expect(error).toBeInstanceOf(RedisError);
    expect(error.code).toBe('REDIS_COMMAND_FAILED');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a URL of another scheme with INVALID_ARGUMENT, without quoting it (it may hold a password)', async () => {
    const error = (await connectRedis('http://user:hunter2@127.0.0.1:1').catch(
      (e: unknown) => e,
    )) as Error & {
      code: string;
    };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).not.toContain('hunter2');
  });

  it('close() ends the connection while commands wait on a frozen server (the process can exit)', async () => {
    const own = await connectRedis(server.url, { closeTimeoutMs: 100 });
    server.freeze();
    try {
      const pending = own.sendCommand(['PING']).catch((e: unknown) => e);
      await own.close(); // waits closeTimeoutMs for the reply that never comes, then drops the connection
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      server.thaw();
    }
  });

  it('bounds the commands waiting on a frozen server: past maxPendingCommands, a command fails at once', async () => {
    const own = await connectRedis(server.url, { maxPendingCommands: 16, closeTimeoutMs: 100 });
    server.freeze();
    try {
      const waiting = Array.from({ length: 16 }, () => own.sendCommand(['PING']).catch((e: unknown) => e));
      const error = (await callRedis(own, ['PING'], { timeoutMs: 60_000 }).catch(
        (e: unknown) => e,
      )) as RedisError;
      expect(error).toBeInstanceOf(RedisError);
      expect(error.code).toBe('REDIS_COMMAND_FAILED');
      await own.close();
      for (const result of await Promise.all(waiting)) expect(result).toBeInstanceOf(Error);
    } finally {
      server.thaw();
    }
  });

  it('fails a command at once while the server is down, and works again after a restart', async () => {
    const own = await connectRedis(server.url);
    try {
      await server.restart();
      // The client notices the closed socket and reconnects by itself; commands meanwhile fail rather than queue.
      let reply: unknown;
      for (let i = 0; i < 100 && reply !== 'PONG'; i++) {
        reply = await callRedis(own, ['PING'], { timeoutMs: 1000 }).catch((e: unknown) => e);
        if (reply !== 'PONG') {
          expect((reply as RedisError).code).toMatch(/^REDIS_/);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      expect(reply).toBe('PONG');
    } finally {
      await own.close();
    }
    redis = await server.connect();
  });
});
