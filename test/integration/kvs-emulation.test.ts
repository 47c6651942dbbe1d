import { kvs, WhereConditions } from '@forge/kvs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';

// The real @forge/kvs client against the local platform: proves the emulation answers what the SDK sends.
describe('@forge/kvs on the local Forge platform', () => {
  let clock = Date.parse('2026-11-21T12:00:00Z');
  let platform: ForgePlatform;

  beforeEach(() => {
    platform = new ForgePlatform({ now: () => clock });
  });
  afterEach(() => platform.uninstall());

  it('round-trips a value and reports a missing key as undefined', async () => {
    await kvs.set('settings:v1', { region: 'EU1', names: ['a'] });
    expect(await kvs.get('settings:v1')).toEqual({ region: 'EU1', names: ['a'] });
    expect(await kvs.get('missing')).toBeUndefined();
  });

  it('deletes, and deleting a missing key is not an error', async () => {
    await kvs.set('k', 1);
    await kvs.delete('k');
    expect(await kvs.get('k')).toBeUndefined();
    await expect(kvs.delete('k')).resolves.toBeUndefined();
  });

  it('keeps secrets apart from values', async () => {
    await kvs.setSecret('secret:key', 'cxtp_secret');
    expect(await kvs.getSecret('secret:key')).toBe('cxtp_secret');
    expect(await kvs.get('secret:key')).toBeUndefined();
    await kvs.deleteSecret('secret:key');
    expect(await kvs.getSecret('secret:key')).toBeUndefined();
  });

  it('expires a value after its TTL', async () => {
    await kvs.set('cache:repo', 'x', { ttl: { value: 10, unit: 'MINUTES' } });
    clock += 9 * 60_000;
    expect(await kvs.get('cache:repo')).toBe('x');
    clock += 2 * 60_000;
    expect(await kvs.get('cache:repo')).toBeUndefined();
  });

  it('refuses keys the platform refuses', async () => {
    await expect(kvs.set('repo:{braces}', 1)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(kvs.set('x'.repeat(501), 1)).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });

  it('refuses values over 240 KiB', async () => {
    await expect(kvs.set('big', 'x'.repeat(240 * 1024 + 1))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
  });

  it('pages a prefix query with a cursor', async () => {
    for (let i = 0; i < 5; i += 1) await kvs.set(`dead:${i}`, i);
    await kvs.set('other', 'x');
    const first = await kvs.query().where('key', WhereConditions.beginsWith('dead:')).limit(3).getMany();
    expect(first.results.map((r) => r.key)).toEqual(['dead:0', 'dead:1', 'dead:2']);
    expect(first.nextCursor).toBeDefined();
    const second = await kvs
      .query()
      .where('key', WhereConditions.beginsWith('dead:'))
      .limit(3)
      .cursor(first.nextCursor as string)
      .getMany();
    expect(second.results.map((r) => r.value)).toEqual([3, 4]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('batches sets and gets', async () => {
    const set = await kvs.batchSet([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    expect(set.successfulKeys.map((k) => k.key)).toEqual(['a', 'b']);
    const got = await kvs.batchGet([{ key: 'a' }, { key: 'zz' }]);
    expect(got.successfulKeys).toEqual([expect.objectContaining({ key: 'a', value: 1 })]);
    expect(got.failedKeys).toEqual([expect.objectContaining({ key: 'zz' })]);
  });

  it('applies a transaction whole', async () => {
    await kvs.set('old', 1);
    await kvs.transact().set('new', 2).delete('old').execute();
    expect(await kvs.get('new')).toBe(2);
    expect(await kvs.get('old')).toBeUndefined();
  });

  it('applies nothing of a transaction with an invalid operation', async () => {
    await expect(kvs.transact().set('fine', 1).set('bad{key}', 2).execute()).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect(await kvs.get('fine')).toBeUndefined();
  });

  it('counts reads and writes, for the benchmark', async () => {
    await kvs.set('a', 1);
    await kvs.get('a');
    await kvs.get('a');
    expect(platform.kvs.counters).toEqual({ reads: 2, writes: 1, faults: 0 });
  });

  it('keeps data in a file across restarts when asked to', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kvs-')), 'kvs.json');
    new ForgePlatform({ kvsFile: file });
    await kvs.set('settings:v1', { kept: true });
    await kvs.setSecret('secret:k', 'v');
    new ForgePlatform({ kvsFile: file });
    expect(await kvs.get('settings:v1')).toEqual({ kept: true });
    expect(await kvs.getSecret('secret:k')).toBe('v');
  });
});
