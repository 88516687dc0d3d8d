import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FileTokenStore, MemoryTokenStore, type StoredToken } from '../../src/auth/token-store.js';
import { assertScopesFor, requiredScopes, scopesMissingFor } from '../../src/auth/scopes.js';
import { MissingScopesError } from '../../src/auth/errors.js';
import { InvalidArgumentError, ProtocolError } from '../../src/core/errors.js';

const token = (userId: string, n = 0): StoredToken => ({
  userId,
  login: `user${userId}`,
  accessToken: `access-${userId}-${n}`,
  refreshToken: `refresh-${userId}-${n}`,
  scopes: ['user:read:chat'],
  expiresAt: 123,
  obtainedAt: 100,
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('token stores', () => {
  it('MemoryTokenStore saves, replaces and removes', async () => {
    const store = new MemoryTokenStore();
    await store.save(token('1'));
    await store.save(token('1', 1));
    await store.save(token('2'));
    await store.remove('2');
    expect(await store.load()).toEqual([token('1', 1)]);
    expect(inspect(store)).not.toContain('access-1');
  });

  it('FileTokenStore writes atomically with 0600 and reloads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tr-tokens-'));
    dirs.push(dir);
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore(path);
    expect(await store.load()).toEqual([]);
    await Promise.all([store.save(token('1')), store.save(token('2')), store.save(token('1', 5))]);
    await store.remove('2');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['tokens.json']); // no temp files left
    const reloaded = await new FileTokenStore(path).load();
    expect(reloaded).toEqual([token('1', 5)]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
    expect(inspect(store)).not.toContain('access-1');
  });

  it('FileTokenStore reports a corrupt file with a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tr-tokens-'));
    dirs.push(dir);
    const path = join(dir, 'tokens.json');
    await writeFile(path, '{not json');
    await expect(new FileTokenStore(path).load()).rejects.toBeInstanceOf(ProtocolError);
    await writeFile(path, '{"nope":1}');
    await expect(new FileTokenStore(path).load()).rejects.toMatchObject({ code: 'BAD_TOKEN_FILE' });
  });
});

describe('scope helpers', () => {
  it('reads requirements from the catalogue', () => {
    const reqs = requiredScopes('channel.follow', '2');
    expect(reqs.flatMap((r) => r.allOf.flat())).toContain('moderator:read:followers');
    expect(() => requiredScopes('no.such.type', '1')).toThrow(InvalidArgumentError);
  });

  it('says what is missing and throws a clear MissingScopesError', () => {
    expect(scopesMissingFor('stream.online', '1', [])).toEqual([]);
    expect(scopesMissingFor('channel.follow', '2', ['moderator:read:followers'])).toEqual([]);
    const missing = scopesMissingFor('channel.follow', '2', []);
    expect(missing.flat()).toContain('moderator:read:followers');
    expect(() => {
      assertScopesFor('channel.follow', '2', [], '42');
    }).toThrow(MissingScopesError);
    try {
      assertScopesFor('channel.follow', '2', ['user:read:chat'], '42');
    } catch (e) {
      expect((e as MissingScopesError).code).toBe('MISSING_SCOPES');
      expect((e as Error).message).toContain('moderator:read:followers');
      expect((e as Error).message).toContain('user 42');
    }
  });
});
