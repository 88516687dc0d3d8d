import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCondition, renderEventsDoc } from '../../src/catalogue/docs.js';
import { CATALOGUE, getCatalogueEntry } from '../../src/catalogue/index.js';

const committed = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');

describe('docs/events.md', () => {
  it('is exactly what the catalogue renders (run `npm run docs:events` after changing the table)', () => {
    expect(committed).toBe(renderEventsDoc());
  });

  it('has one table row per catalogue entry, with its type, version and authorization', () => {
    const rows = committed.split('\n').filter((line) => line.startsWith('| `') || line.startsWith('| ~~'));
    expect(rows).toHaveLength(CATALOGUE.length);
    CATALOGUE.forEach((entry, i) => {
      const cells = rows[i]!.split(' | ').map((c) => c.trim());
      expect(cells[1]).toBe(entry.type);
      expect(cells[2]!.startsWith(entry.version)).toBe(true);
      expect(cells[4]).toBe(entry.authorization.description);
    });
  });

  it('describes required, optional and exactly-one-of keys', () => {
    expect(describeCondition(getCatalogueEntry('channel.raid', '1')!.condition)).toBe(
      'exactly one of `from_broadcaster_user_id` / `to_broadcaster_user_id`',
    );
    expect(
      describeCondition(getCatalogueEntry('channel.channel_points_custom_reward.update', '1')!.condition),
    ).toBe('`broadcaster_user_id`, `reward_id` (optional)');
    expect(committed).toContain('user:read:chat (user_id); app token also: user:bot (user_id); channel:bot');
  });
});

describe('counts of types quoted in the README and docs/', () => {
  it('are only in the generated docs/events.md (a new type/version edits no prose page)', () => {
    const files = ['README.md', 'docs/emulator.md', 'docs/models.md'];
    const quoted = files.flatMap((file) =>
      [
        ...readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').matchAll(
          /\b(\d+) (?:type\/versions|models \(one per type and version\)|fixture events)|every type and version \((\d+)\)/g,
        ),
      ].map((m) => ({ file, count: Number(m[1] ?? m[2]) })),
    );
    expect(quoted).toEqual([]);
  });
});
