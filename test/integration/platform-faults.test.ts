import { PLATFORM_MAX_RETRIES } from '../../src/core/retry-policy';
import { SETTINGS_MAX_STALENESS_MS } from '../../src/platform/settings-cache';
import { StorageKeys } from '../../src/platform/storage-keys';
import type { CoralogixReceiver, Fault } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { MAX_EVENTS_PER_MINUTE } from '../../sandbox/platform/queue-emulator';
import type { StorageFault } from '../../sandbox/platform/kvs-emulator';
import type { App } from '../support/app';
import {
  accountFor,
  idsOf,
  startConfiguredApp,
  stopConfiguredApp,
  useFakeClockAndQuietConsole,
  type Accounting,
} from '../support/delivery-harness';
import { distinctEvents } from '../support/fixtures';

// The platform fails too: Forge storage answers 429 and 5xx, the queue refuses pushes past its
// limits, and the platform retries a trigger only when it returns an InvocationError (at most 4
// times) and a queue event at most 4 times within 24 h. Under every such fault each event must end
// delivered, still retrying, or kept in the backlog with its reason: none lost by the platform.
// Everything runs on a fake clock; each test has an explicit time bound.

const API_KEY = 'cxtp_PlatformFaultsKey01234';
const MINUTE = 60_000;

describe('delivery when the Forge platform itself fails', () => {
  let now: number;
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: App;

  useFakeClockAndQuietConsole(() => now);

  beforeEach(async () => {
    now = Date.parse('2026-11-21T08:00:00Z');
    ({ platform, receiver, app } = await startConfiguredApp(API_KEY, () => now));
  });
  afterEach(() => stopConfiguredApp({ platform, receiver }));

  async function emitAll(payloads: Array<Record<string, unknown>>, spacingMs = 1_000): Promise<void> {
    for (const payload of payloads) {
      await platform.emitProductEvent(app.forwardEvent, payload);
      now += spacingMs;
    }
  }

  /** Runs the platform (queue, product-event retries) on the fake clock until nothing is left to do. */
  async function settle(onTick: () => void = () => undefined, limitMs = 3 * 24 * 60 * MINUTE): Promise<void> {
    const deadline = now + limitMs;
    for (;;) {
      onTick();
      await platform.deliverDueProductEvents();
      await platform.deliverDueQueueEvents();
      const next = platform.nextDueAt();
      if (next === undefined) return;
      if (next > deadline) throw new Error('the platform did not settle');
      now = Math.max(now, next);
    }
  }

  const account = (payloads: Array<Record<string, unknown>>) => accountFor(platform, receiver, idsOf(payloads));

  async function runWith(storageFaults: StorageFault[], coralogixFaults: Fault[] = [], count = 6): Promise<Accounting> {
    for (const fault of storageFaults) platform.kvs.injectFault(fault);
    receiver.inject(...coralogixFaults);
    const payloads = distinctEvents(count);
    await emitAll(payloads);
    platform.kvs.clearFaults();
    await settle();
    return account(payloads);
  }

  // Each hot-path storage operation failing for the first few requests, as 503 and as 429 with
  // Retry-After. Writes happen when something goes wrong (a failure is counted at once), so for the
  // write faults Coralogix first answers 503: otherwise no write would meet the fault.
  const coralogixDown: Fault[] = [{ kind: 'status', status: 503 }];
  describe.each([
    ['settings read', { operations: ['get'], keyPrefix: StorageKeys.settings }, []],
    ['API key read', { operations: ['secret/get'] }, []],
    ['every read', { operations: ['get', 'secret/get', 'query'] }, []],
    ['every write', { operations: ['set', 'delete', 'batch/set', 'batch/delete', 'transaction'] }, coralogixDown],
    ['every operation', {}, coralogixDown],
  ] as Array<[string, Omit<StorageFault, 'status' | 'times'>, Fault[]]>)('storage failing on %s', (_name, scope, coralogixFaults) => {
    it.each([
      ['HTTP 503', { status: 503 }],
      ['HTTP 500', { status: 500 }],
      ['HTTP 429 with Retry-After', { status: 429, retryAfterS: 5 }],
    ] as Array<[string, Pick<StorageFault, 'status' | 'retryAfterS'>]>)('loses nothing on %s', async (_label, answer) => {
      const outcome = await runWith([{ ...scope, ...answer, times: 3 }], coralogixFaults);
      expect(platform.kvs.counters.faults).toBeGreaterThan(0);
      expect(outcome.unaccounted).toEqual([]);
      expect(outcome.lostByPlatform).toBe(0);
      expect(outcome.backlog).toEqual([]);
    });
  });

  it('loses nothing when storage fails while Coralogix refuses the key (the backlog cannot keep the event at first)', async () => {
    const outcome = await runWith(
      [{ operations: ['set', 'batch/set'], keyPrefix: StorageKeys.backlogBodyPrefix, status: 503, times: 2 }],
      [
        { kind: 'status', status: 401 },
        { kind: 'status', status: 401 },
        { kind: 'status', status: 401 },
      ],
      2,
    );
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.lostByPlatform).toBe(0);
  });

  it('loses nothing when storage and the queue both fail: the platform retries the trigger', async () => {
    platform.queue.refuseNextPushes(503, 503);
    const outcome = await runWith([{ operations: ['get'], keyPrefix: StorageKeys.settings, status: 503, times: 1 }], [], 1);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.lostByPlatform).toBe(0);
    expect(platform.defaultInstallation.productEvents.stats.retries).toBe(1);
  });

  it('bridges a two-hour storage outage during a Coralogix outage without the platform dropping a queued event', async () => {
    const payloads = distinctEvents(4);
    receiver.inject(...Array.from({ length: 4 }, () => ({ kind: 'status', status: 503 }) as Fault));
    await emitAll(payloads);
    // Past the warm settings cache's bound, so every consumer invocation needs storage.
    now += SETTINGS_MAX_STALENESS_MS;
    const outageEnds = now + 120 * MINUTE;
    const lift = platform.kvs.injectFault({ status: 503 });
    await settle(() => {
      if (now >= outageEnds) lift();
    });
    const outcome = account(payloads);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.lostByPlatform).toBe(0);
    expect(outcome.deliveredIds.size).toBe(4);
    // The outage outlasts the platform's retries of a queued event, and none was dropped: the
    // consumer handed it on as a fresh queue message before its last retry.
    expect(platform.queue.stats.platformRetries).toBeGreaterThanOrEqual(PLATFORM_MAX_RETRIES);
    expect(platform.queue.stats.abandoned).toEqual([]);
  });

  it('keeps more failures in a minute than the queue takes pushes, with one drain message for all, and delivers them', async () => {
    const payloads = distinctEvents(MAX_EVENTS_PER_MINUTE + 20);
    receiver.inject(...payloads.map(() => ({ kind: 'status', status: 503 }) as Fault));
    // All within one minute: one push per event would pass the queue's per-minute limit.
    await emitAll(payloads, 100);
    expect(platform.queue.stats.rateLimited).toBe(0);
    expect(platform.queue.pending).toHaveLength(1);
    expect(account(payloads).backlog).toHaveLength(payloads.length);
    expect(platform.kvs.quota.counters.rateLimited).toBe(0);
    await settle();
    const outcome = account(payloads);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(payloads.length);
    expect(outcome.duplicates).toBe(0);
    expect(outcome.lostByPlatform).toBe(0);
  });

  it('still forwards when storage answers slowly', async () => {
    const outcome = await runWith([{ delayMs: 20 }]);
    expect(platform.kvs.counters.faults).toBeGreaterThan(0);
    expect(outcome.deliveredIds.size).toBe(6);
    expect(outcome.lostByPlatform).toBe(0);
  });

  it('shows every failure on the status panel at once, without waiting for a later flush', async () => {
    receiver.inject({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await emitAll(distinctEvents(2), 1_000);
    // What another instance (or this one, reclaimed and started anew) would read: storage only.
    const stored = platform.kvs
      .keys()
      .filter((key) => key.startsWith(StorageKeys.healthBucketPrefix))
      .map((key) => platform.kvs.peek(key) as { failedAttempts: number });
    expect(stored.reduce((sum, bucket) => sum + bucket.failedAttempts, 0)).toBe(2);
  });
});
