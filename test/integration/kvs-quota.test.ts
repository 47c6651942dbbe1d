import { kvs, WhereConditions } from '@forge/kvs';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { KVS_READ_UNITS_PER_MINUTE, KVS_REQUESTS_PER_SECOND, KVS_WRITE_UNITS_PER_MINUTE } from '../../sandbox/platform/kvs-quota';

// Forge's per-installation storage limits, met through the real @forge/kvs client: what an app
// that fits the local platform must also fit on Forge.
describe('KVS rate limits and batch rules on the local Forge platform', () => {
  let clock = Date.parse('2026-11-22T12:00:00Z');
  let platform: ForgePlatform;
  const tick = (ms: number) => (clock += ms);

  beforeEach(() => {
    platform = new ForgePlatform({ now: () => clock });
  });
  afterEach(() => platform.uninstall());

  it('answers 429 RATE_LIMIT_EXCEEDED with Retry-After past 4,000 write units a minute, and admits again as the minute slides', async () => {
    // A 95 KB value (with its key and JSON) costs 10 units: 400 of them, one every 100 ms, fill the minute exactly.
    const value = 'x'.repeat(95 * 1024);
    for (let i = 0; i < KVS_WRITE_UNITS_PER_MINUTE / 10; i += 1) {
      await kvs.set(`big:${i}`, value);
      tick(100);
    }
    expect(platform.kvs.quota.used('write')).toBe(KVS_WRITE_UNITS_PER_MINUTE);
    const refused = await kvs.set('one-more', 1).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    expect(platform.kvs.quota.counters.rateLimited).toBe(1);
    expect(await kvs.get('one-more')).toBeUndefined();
    // The first write leaves the window 60 s after it was made.
    tick(60_000 - 40 * 1000 + 1);
    await expect(kvs.set('one-more', 1)).resolves.toBeUndefined();
  });

  it('counts a value by its size in 10 KB units, reads as well as writes', async () => {
    await kvs.set('small', 'x');
    await kvs.set('medium', 'x'.repeat(25 * 1024));
    expect(platform.kvs.quota.counters.writeUnits).toBe(1 + 3);
    await kvs.get('medium');
    await kvs.get('missing');
    expect(platform.kvs.quota.counters.readUnits).toBe(3 + 1);
  });

  it('counts a batch and a query page by their whole size, as one request each', async () => {
    await kvs.batchSet(Array.from({ length: 20 }, (_, i) => ({ key: `page:${String(i).padStart(2, '0')}`, value: 'y'.repeat(12 * 1024) })));
    // 240 KB of values and their keys: 25 units, not 20 items of 2.
    expect(platform.kvs.quota.counters.writeUnits).toBe(25);
    const before = platform.kvs.quota.counters.readUnits;
    const page = await kvs.query().where('key', WhereConditions.beginsWith('page:')).limit(20).getMany();
    expect(page.results).toHaveLength(20);
    expect(platform.kvs.quota.counters.readUnits - before).toBe(25);
    await kvs.batchDelete(page.results.map(({ key }) => ({ key })));
    expect(platform.kvs.quota.counters.writeUnits).toBe(26);
  });

  it('refuses reads past 4,000 units a minute', async () => {
    await kvs.set('blob', 'z'.repeat(99 * 1024));
    for (let i = 0; i < KVS_READ_UNITS_PER_MINUTE / 10; i += 1) {
      await kvs.get('blob');
      tick(10);
    }
    await expect(kvs.get('blob')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
  });

  it('refuses more than 1,000 requests in a second', async () => {
    for (let i = 0; i < KVS_REQUESTS_PER_SECOND; i += 1) await kvs.get('missing');
    await expect(kvs.get('missing')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    tick(1000);
    await expect(kvs.get('missing')).resolves.toBeUndefined();
  });

  it('takes batches of 1 to 25 distinct keys only', async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `b:${i}`, value: i }));
    await expect(kvs.batchSet(items(25))).resolves.toMatchObject({ failedKeys: [] });
    await expect(kvs.batchSet(items(26))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(kvs.batchDelete(Array.from({ length: 26 }, (_, i) => ({ key: `b:${i}` })))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(kvs.batchGet([{ key: 'b:1' }, { key: 'b:1' }])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(kvs.batchDelete(Array.from({ length: 25 }, (_, i) => ({ key: `b:${i}` })))).resolves.toBeDefined();
    expect(await kvs.get('b:3')).toBeUndefined();
  });
});
