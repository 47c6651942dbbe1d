import { DRAIN_READ_UNITS_PER_MINUTE } from '../../src/core/backlog';
import type { PendingDelivery } from '../../src/core/pending';
import { validate } from '../../src/core/validation';
import { StorageKeys } from '../../src/platform/storage-keys';
import { backlogItemInput } from '../../src/shared/contract';
import type { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
import type { App } from '../support/app';
import { startConfiguredApp, stopConfiguredApp, useFakeClockAndQuietConsole } from '../support/delivery-harness';

// The backlog's store and its drain on the local platform: time order, counts without scans, one
// drain at a time, batches, and what Coralogix refuses as it is set apart without holding up the rest.

const API_KEY = 'cxtp_BacklogSuiteKey012345';

function pending(i: number, entry: Partial<PendingDelivery['entry']> = {}): PendingDelivery {
  return {
    eventId: i.toString(16).padStart(32, '0'),
    eventType: 'avi:bitbucket:push:repository',
    entry: {
      applicationName: 'app',
      subsystemName: 'sub',
      text: JSON.stringify({ source_system: 'bitbucket', event: { id: i } }),
      ...entry,
    },
    attempts: 1,
    firstAttemptAt: 1_000,
    lastAttemptAt: 2_000,
  };
}

describe('the backlog', () => {
  let now: number;
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: App;

  useFakeClockAndQuietConsole(() => now);

  beforeEach(async () => {
    now = Date.parse('2026-11-22T08:00:00Z');
    ({ platform, receiver, app } = await startConfiguredApp(API_KEY, () => now));
  });
  afterEach(() => stopConfiguredApp({ platform, receiver }));

  async function add(count: number, from = 0, cause: 'unavailable' | 'malformed' = 'unavailable'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = from; i < from + count; i += 1) {
      now += 1_000;
      ids.push(await app.addToBacklog(pending(i), cause, `failed ${i}`, now));
    }
    return ids;
  }

  const drain = async (options: { includeHeld?: boolean } = {}) => {
    const result = await platform.invoke(() => app.runDrain(now, options));
    if (!result.ok) throw result.error;
    return result.value;
  };

  it('lists oldest first, in pages, without the entry itself', async () => {
    await add(7);
    const first = await app.listBacklog(5);
    expect(first.items.map((item) => item.summary.reason)).toEqual(['failed 0', 'failed 1', 'failed 2', 'failed 3', 'failed 4']);
    expect(first.items[0]?.summary).not.toHaveProperty('entry');
    expect(first.items[0]?.summary).toMatchObject({
      eventType: 'avi:bitbucket:push:repository',
      cause: 'unavailable',
      attempts: 1,
      held: false,
    });
    const second = await app.listBacklog(5, first.nextCursor);
    expect(second.items.map((item) => item.summary.reason)).toEqual(['failed 5', 'failed 6']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('counts without reading a single entry', async () => {
    await add(30);
    platform.kvs.injectFault({ keyPrefix: StorageKeys.backlogBodyPrefix, status: 500 });
    platform.kvs.injectFault({ keyPrefix: StorageKeys.backlogItemPrefix, status: 500 });
    expect(await app.backlogCount()).toBe(30);
    platform.kvs.clearFaults();
    await drain();
    expect(await app.backlogCount()).toBe(0);
  });

  it('sends the backlog oldest first, many entries to a request, and leaves nothing behind', async () => {
    await add(250);
    expect(await drain()).toEqual({ status: 'drained', delivered: 250, held: 0 });
    expect(receiver.requests).toEqual([expect.objectContaining({ status: 200, entries: 250 })]);
    expect(receiver.entries.map((entry) => JSON.parse(entry.text).event.id)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(platform.kvs.keys().filter((key) => key.startsWith('backlog:body:') || key.startsWith('backlog:item:'))).toEqual([]);
    expect((await app.readDrainState()).phase).toBe('idle');
  });

  it('never runs two drains at once: the second finds the lease taken and asks again later', async () => {
    await add(40);
    const [a, b] = await Promise.all([drain(), drain()]);
    expect([a?.status, b?.status].sort()).toEqual(['busy', 'drained']);
    expect(receiver.entries).toHaveLength(40);
    expect(new Set(receiver.entries.map((entry) => entry.text)).size).toBe(40);
  });

  it('waits out a second whose storage requests are spent without renewing it, however often it is asked', async () => {
    await add(3);
    const spentAt = now;
    await platform.invoke(async () => {
      const { kvs } = await import('@forge/kvs');
      const spent = { lastMinute: [], requestsSince: spentAt, requests: 400 };
      await kvs.set(StorageKeys.drainState, { ...(await app.readDrainState()), phase: 'draining', spent });
    });
    for (const after of [300, 600, 900]) {
      now = spentAt + after;
      expect(await drain()).toMatchObject({ status: 'continuing', delivered: 0 });
    }
    now = spentAt + 1_000;
    expect(await drain()).toMatchObject({ status: 'drained', delivered: 3 });
  });

  it('takes over a lease whose holder died, even while storage still keeps the expired lease', async () => {
    await add(3);
    await platform.invoke(async () => {
      const { kvs } = await import('@forge/kvs');
      await kvs.set(StorageKeys.drainLease, { owner: 'dead-drain', until: now - 1_000 }, { ttl: { value: 1, unit: 'SECONDS' } });
    });
    now += 5_000;
    expect(await drain()).toMatchObject({ status: 'drained', delivered: 3 });
  });

  it('sets apart an entry Coralogix refuses as it is, and sends the others of its batch', async () => {
    await add(10);
    now += 1_000;
    await app.addToBacklog(pending(99, { severity: 9 as never }), 'unavailable', 'failed 99', now);
    await add(10, 100);
    const result = await drain();
    expect(result).toMatchObject({ status: 'drained', delivered: 20, held: 1 });
    expect(receiver.entries).toHaveLength(20);
    const [held] = (await app.listBacklog(10)).items;
    expect(held?.summary).toMatchObject({
      eventId: (99).toString(16).padStart(32, '0'),
      held: true,
      cause: 'malformed',
      reason: expect.stringContaining('HTTP 400'),
    });
    expect(await app.backlogCount()).toBe(1);
    // Drains leave it for the admin: it does not block or repeat.
    await add(2, 200);
    expect(await drain()).toMatchObject({ status: 'drained', delivered: 2, held: 0 });
  });

  it('retries what was held when the admin retries all', async () => {
    await add(2, 0, 'malformed');
    expect(await drain()).toMatchObject({ status: 'drained', delivered: 0 });
    expect(await drain({ includeHeld: true })).toMatchObject({ status: 'drained', delivered: 2 });
    expect(await app.backlogCount()).toBe(0);
  });

  it('keeps to its share of storage reads over any sixty seconds, however its runs fall across minutes', async () => {
    // Entries of 60 KB: a page of 100 answers about 590 read units, so a few pages spend the share.
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 800; i += 1) {
      now += 1_000;
      await app.addToBacklog(pending(i, { text: JSON.stringify({ event: { id: i }, big }) }), 'unavailable', 'failed', now);
    }
    now += 120_000;
    const onePage = 100 * 7;
    const readsOverLastMinute: number[] = [];
    // The first run fails after one request and spends little; the second, 40 s on, spends the
    // rest of the share late in that minute; the runs after it must not spend a new share at once.
    receiver.inject({ kind: 'pass' }, { kind: 'status', status: 503 });
    const runs: string[] = [];
    for (const step of [0, 40_000, 20_000, 20_000, 20_000, 20_000, 20_000, 20_000, 20_000, 20_000]) {
      now += step;
      runs.push((await drain())?.status ?? 'no result');
      readsOverLastMinute.push(platform.kvs.quota.used('read'));
      if (runs[runs.length - 1] === 'drained') break;
    }
    expect(runs[0]).toBe('stopped');
    expect(runs[runs.length - 1]).toBe('drained');
    expect(platform.kvs.quota.counters.rateLimited).toBe(0);
    expect(Math.max(...readsOverLastMinute)).toBeLessThanOrEqual(DRAIN_READ_UNITS_PER_MINUTE + onePage);
    expect(new Set(receiver.entries.map((entry) => JSON.parse(entry.text).event.id as number)).size).toBe(800);
  });

  it('leaves every event either sent and removed or still waiting when Coralogix fails halfway', async () => {
    // Two requests' worth: the second is refused.
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 60; i += 1) {
      now += 1_000;
      await app.addToBacklog(pending(i, { text: JSON.stringify({ event: { id: i }, big }) }), 'unavailable', 'failed', now);
    }
    receiver.inject({ kind: 'pass' }, { kind: 'status', status: 503 });
    const result = await drain();
    expect(result).toMatchObject({ status: 'stopped', stop: { phase: 'retrying' } });
    const sent = new Set(receiver.entries.map((entry) => JSON.parse(entry.text).event.id as number));
    const waiting = new Set((await app.listBacklog(100)).items.map((item) => parseInt(item.summary.eventId, 16)));
    expect(sent.size).toBeGreaterThan(0);
    expect(waiting.size).toBeGreaterThan(0);
    expect(sent.size + waiting.size).toBe(60);
    for (const id of sent) expect(waiting.has(id)).toBe(false);
    expect(await app.backlogCount()).toBe(waiting.size);
    // The drain asked for its next attempt.
    expect(platform.queue.pending.map((event) => event.body)).toEqual([{ kind: 'drain' }]);
  });

  it('drops only beyond its capacity, oldest first, counts it, and tells Coralogix once the stream is back', async () => {
    await add(30);
    await receiver.stop();
    const stopped = await platform.invoke(() => app.runDrain(now, { capacity: 25 }));
    expect(stopped.value).toMatchObject({ status: 'stopped' });
    expect(await app.backlogCount()).toBe(25);
    const remaining = (await app.listBacklog(100)).items.map((item) => item.summary.reason);
    expect(remaining[0]).toBe('failed 5');
    const dropped = await app.readDroppedEvents();
    expect(dropped).toMatchObject({
      count: 5,
      reportedAt: null,
      firstBackloggedAt: Date.parse('2026-11-22T08:00:01Z'),
      lastBackloggedAt: Date.parse('2026-11-22T08:00:05Z'),
    });

    await receiver.resume();
    now += 60_000;
    expect(await drain()).toMatchObject({ status: 'drained', delivered: 25 });
    const [notice, ...rest] = receiver.entries;
    expect(notice).toMatchObject({ className: 'bitbucket-coralogix:backlog-overflow', severity: 5 });
    expect(JSON.parse(notice?.text ?? '{}').backlog_overflow).toEqual({
      dropped_events: 5,
      from: '2026-11-22T08:00:01.000Z',
      to: '2026-11-22T08:00:05.000Z',
      capacity: 100_000,
    });
    expect(rest).toHaveLength(25);
    expect(await app.readDroppedEvents()).toMatchObject({ count: 5, reportedAt: now });
    // Told once.
    await add(1, 500);
    await drain();
    expect(receiver.entries.filter((entry) => entry.className === 'bitbucket-coralogix:backlog-overflow')).toHaveLength(1);
  });

  it('sends each event once when Retry all, the heartbeat and a scheduled drain come at the same moment', async () => {
    await add(50);
    await platform.invoke(() => app.requestDrain(now, { delaySeconds: 0 }));
    await Promise.all([
      platform.invoke(() => app.replayAll(now)),
      platform.invoke(() => app.heartbeat({}, {})),
      platform.queue.deliverDue(),
    ]);
    for (let round = 0; round < 10 && platform.queue.nextDueAt() !== undefined; round += 1) {
      now = Math.max(now, platform.queue.nextDueAt() as number);
      await platform.queue.deliverDue();
    }
    const events = receiver.entries.filter((entry) => entry.className === undefined);
    expect(events).toHaveLength(50);
    expect(new Set(events.map((entry) => entry.text)).size).toBe(50);
    expect(await app.backlogCount()).toBe(0);
  });

  it('reports a missing item on retry and on discard', async () => {
    const settings = await app.readDeliverySettings();
    if (!settings) throw new Error('setup');
    expect(await app.replayBacklogItem(`0000000000001:${'0'.repeat(32)}`, settings)).toEqual({ status: 'not-found' });
    expect(await app.discardBacklogItem(`0000000000001:${'0'.repeat(32)}`)).toBe(false);
  });

  it('discards one and counts it', async () => {
    const [id] = await add(2);
    expect(await app.discardBacklogItem(id as string, now)).toBe(true);
    expect(await app.backlogCount()).toBe(1);
    expect((await app.readHealth(now)).discarded).toBe(1);
  });

  it('stores under ids the resolver contract accepts, and no other id passes it', async () => {
    const [id] = await add(1);
    const isItemId = (candidate: string) => validate(backlogItemInput, { id: candidate }).ok;
    expect(isItemId(id as string)).toBe(true);
    expect(isItemId('8237078800000:0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isItemId('settings:v1')).toBe(false);
    expect(isItemId('1:../../x')).toBe(false);
  });
});
