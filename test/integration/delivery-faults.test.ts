import { defaultStoredSettings } from '../../src/core/settings';
import { HEARTBEAT_CLASS_NAME } from '../../src/core/health';
import type { CoralogixReceiver, Fault } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
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

// Fault injection: for each way Coralogix can misbehave, N events go in and every one must come out
// delivered (at least once; exactly once after de-duplicating by event id) or waiting in the backlog
// with its reason. The queue runs on a controllable clock, so days of retries take seconds.

const API_KEY = 'cxtp_FaultSuiteKey0123456789';
const EVENTS = 12;
// A short invocation limit makes the send timeout 1 s (it keeps 5 s for bookkeeping), so "slower than
// the timeout" costs little real time.
const INVOCATION_TIMEOUT_MS = 6_000;
const SLOW_MS = 1_500;
const HOUR = 3_600_000;

describe('delivery under failure', () => {
  let app: App;
  let now: number;
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;

  useFakeClockAndQuietConsole(() => now);

  beforeEach(async () => {
    now = Date.parse('2026-11-21T08:00:00Z');
    ({ platform, receiver, app } = await startConfiguredApp(API_KEY, () => now, { invocationTimeoutMs: INVOCATION_TIMEOUT_MS }));
  });
  afterEach(() => stopConfiguredApp({ platform, receiver }));

  async function sendAll(payloads: Array<Record<string, unknown>>): Promise<void> {
    for (const payload of payloads) {
      const result = await platform.invoke(() => app.forwardEvent(payload, { installContext: platform.installContext }));
      expect(result.ok).toBe(true);
      now += 1_000;
    }
  }

  /**
   * Runs the queue on the fake clock, calling `onTick` before each step, until it is empty or
   * `forMs` has passed (a backlog waiting for a key keeps one probe on the queue for ever).
   */
  async function settle(onTick: () => Promise<void> = async () => undefined, forMs = 3 * 24 * HOUR): Promise<void> {
    const until = now + forMs;
    for (;;) {
      await onTick();
      await platform.queue.deliverDue();
      const next = platform.queue.nextDueAt();
      if (next === undefined || next > until) return;
      now = Math.max(now, next);
    }
  }

  const backlog = () => accountFor(platform, receiver, []).backlog;
  const account = (sentIds: string[]) => accountFor(platform, receiver, sentIds);

  async function run(faults: Fault[], onTick?: () => Promise<void>, forMs?: number): Promise<Accounting> {
    receiver.inject(...faults);
    const payloads = distinctEvents(EVENTS);
    await sendAll(payloads);
    await settle(onTick, forMs);
    return account(idsOf(payloads));
  }

  async function expectStatusPanelToAgree(outcome: Accounting): Promise<void> {
    now += 61_000;
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle(undefined, HOUR);
    const health = await app.readHealth(now);
    const receivedEvents = receiver.entries.filter((entry) => entry.className !== HEARTBEAT_CLASS_NAME).length;
    // Late answers past the timeout are the only deliveries the app cannot see succeed.
    expect(health.delivered).toBe(receivedEvents - outcome.duplicates);
    const waiting = await platform.invoke(() => app.backlogCount());
    expect(waiting.value).toBe(accountFor(platform, receiver, outcome.sent).backlog.length);
  }

  describe.each([
    ['HTTP 408', { kind: 'status', status: 408 }],
    ['HTTP 429 with Retry-After', { kind: 'status', status: 429, retryAfter: '120' }],
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['HTTP 502', { kind: 'status', status: 502 }],
    ['HTTP 503', { kind: 'status', status: 503 }],
    ['HTTP 504', { kind: 'status', status: 504 }],
    ['a connection reset', { kind: 'reset' }],
  ] as Array<[string, Fault]>)('%s on the first attempts', (_name, fault) => {
    it('delivers every event exactly once, the backlog in one request', async () => {
      const outcome = await run(Array.from({ length: 8 }, () => fault));
      expect(outcome.unaccounted).toEqual([]);
      expect(outcome.backlog).toEqual([]);
      expect([...outcome.deliveredIds].sort()).toEqual([...outcome.sent].sort());
      expect(outcome.duplicates).toBe(0);
      expect(outcome.lostByPlatform).toBe(0);
      // The 8 kept events went back together, in one request.
      expect(receiver.requests.filter((request) => request.entries > 1)).toEqual([expect.objectContaining({ status: 200, entries: 8 })]);
      await expectStatusPanelToAgree(outcome);
    });
  });

  it('waits at least as long as Retry-After asks', async () => {
    receiver.inject({ kind: 'status', status: 429, retryAfter: '600' });
    const [payload] = distinctEvents(1);
    const start = now;
    await sendAll([payload as Record<string, unknown>]);
    expect(platform.queue.pending).toHaveLength(1);
    expect(platform.queue.pending[0]?.deliverAt).toBeGreaterThanOrEqual(start + 600_000);
  });

  it('retries answers slower than the send timeout, and counts the duplicates they cause', async () => {
    const outcome = await run(Array.from({ length: 3 }, () => ({ kind: 'delay', ms: SLOW_MS }) as Fault));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    // The receiver accepted each slow request after the app had given up on it.
    expect(outcome.duplicates).toBe(3);
    await expectStatusPanelToAgree(outcome);
  }, 30_000);

  it('survives the receiver being down for a while, then back', async () => {
    await receiver.stop();
    const backAt = now + 45 * 60_000;
    let down = true;
    const outcome = await run([], async () => {
      if (down && now >= backAt) {
        await receiver.resume();
        down = false;
      }
    });
    expect(down).toBe(false);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    expect(outcome.duplicates).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it('survives a flapping receiver', async () => {
    const flapping = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? ({ kind: 'status', status: 503 } as Fault) : ({ kind: 'pass' } as Fault),
    );
    const outcome = await run(flapping);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    expect(outcome.duplicates).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it('loses nothing over a day of Coralogix flapping every half hour, and sends each event once', async () => {
    const payloads = distinctEvents(720);
    let up = true;
    let nextFlipAt = now + 30 * 60_000;
    for (const payload of payloads) {
      if (now >= nextFlipAt) {
        if (up) await receiver.stop();
        else await receiver.resume();
        up = !up;
        nextFlipAt += 30 * 60_000;
      }
      await sendAll([payload]);
      now += 2 * 60_000 - 1_000;
      const due = platform.queue.nextDueAt();
      if (due !== undefined && due <= now) await platform.queue.deliverDue();
    }
    if (!up) await receiver.resume();
    await settle(undefined, 2 * HOUR);
    const outcome = account(idsOf(payloads));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(payloads.length);
    expect(outcome.duplicates).toBeLessThanOrEqual(payloads.length * 0.001);
    expect(platform.kvs.quota.counters.rateLimited).toBe(0);
    const backlogged = platform.kvs.quota.counters.byOperation['batch/set backlog:body:']?.requests ?? 0;
    // Half the day down: about half the events waited. What the backlog spent on them is mostly the
    // drain's own bookkeeping (lease, state, schedule, count: about six reads and six writes a run),
    // which flapping runs about ten times an hour for few events; a week's backlog spreads it thin
    // (week-outage.test.ts: under 2 reads and 3 writes an event).
    expect(backlogged).toBeGreaterThan(payloads.length / 3);
    const backlogUnits = (read: boolean) =>
      Object.entries(platform.kvs.quota.counters.byOperation)
        .filter(([label]) => label.includes(' backlog:') && /^(get|query|batch\/get) /.test(label) === read)
        .reduce((total, [, { units }]) => total + units, 0);
    expect(backlogUnits(false) / backlogged).toBeLessThanOrEqual(12);
    expect(backlogUnits(true) / backlogged).toBeLessThanOrEqual(8);
  }, 120_000);

  it.each([400, 404, 422])('holds events refused as malformed (HTTP %i) for the admin at once, asking for no drain', async (status) => {
    const outcome = await run(Array.from({ length: EVENTS }, () => ({ kind: 'status', status }) as Fault));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toHaveLength(EVENTS);
    for (const item of outcome.backlog)
      expect(item).toMatchObject({ cause: 'malformed', held: true, attempts: 1, reason: expect.stringContaining(`HTTP ${status}`) });
    expect(platform.queue.stats.pushedEvents).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it('keeps events refused for the key for 3 days, probing every 15 minutes, and sends them all once the key works', async () => {
    receiver.acceptKeys('cxtp_TheNewKey0123456789');
    const payloads = distinctEvents(EVENTS);
    await sendAll(payloads);
    await settle(undefined, 3 * 24 * HOUR);
    const waiting = account(idsOf(payloads));
    expect(waiting.unaccounted).toEqual([]);
    expect(waiting.backlog).toHaveLength(EVENTS);
    for (const item of waiting.backlog)
      expect(item).toMatchObject({ cause: 'configuration', held: false, reason: expect.stringMatching(/key.*region/) });
    // Three days of a refused key: the 12 first attempts and one probe each 15 minutes, not a retry per event.
    expect(receiver.requests.length).toBeLessThanOrEqual(EVENTS + 3 * 24 * 4 + 2);
    expect((await platform.invoke(() => app.readDrainState())).value).toMatchObject({ phase: 'waiting-for-settings' });

    // The key starts working (fixed on the Coralogix side): the next probe sends everything.
    receiver.acceptKeys(API_KEY);
    await settle(undefined, 20 * 60_000);
    const after = account(idsOf(payloads));
    expect(after.backlog).toEqual([]);
    expect(after.deliveredIds.size).toBe(EVENTS);
    expect(after.duplicates).toBe(0);
  });

  it('sends the backlog as soon as the admin saves a working key', async () => {
    receiver.acceptKeys('cxtp_TheNewKey0123456789');
    const payloads = distinctEvents(EVENTS);
    await sendAll(payloads);
    await settle(undefined, HOUR);
    expect(backlog()).toHaveLength(EVENTS);
    now += 60_000;
    await app.writeSettings(defaultStoredSettings(), 'cxtp_TheNewKey0123456789', now);
    app.invalidateSettingsCache();
    // What the settings page's save does after writing (resolvers.ts).
    await platform.invoke(() => app.requestDrain(now, { force: true }));
    const saved = now;
    await settle(undefined, 60_000);
    const after = account(idsOf(payloads));
    expect(after.backlog).toEqual([]);
    expect(after.deliveredIds.size).toBe(EVENTS);
    expect(receiver.requests.at(-1)?.at).toBeLessThanOrEqual(saved + 1_000);
  });

  it('trims an entry Coralogix refuses as too large and delivers it', async () => {
    const [payload] = distinctEvents(1) as [Record<string, unknown>];
    const big = structuredClone(payload);
    big.eventType = 'avi:bitbucket:push:repository';
    big.push = {
      ref: 'main',
      commits: Array.from({ length: 20 }, (_, i) => ({
        hash: `${i}`.padStart(40, 'a'),
        message: { value: 'word '.repeat(600), truncated: false },
      })),
    };
    receiver.inject({ kind: 'status', status: 413 });
    await sendAll([big]);
    await settle();
    const outcome = account(idsOf([big]));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(1);
    const text = JSON.parse(receiver.entries[0]?.text ?? '{}');
    expect(text.trimmed.original_bytes).toBeGreaterThan(16_000);
  });

  it('keeps trying past a day, a request every 7.5 to 15 minutes, and delivers when Coralogix is back after 3 days', async () => {
    const backAt = now + 3 * 24 * HOUR;
    await receiver.stop();
    let down = true;
    const outcome = await run(
      [],
      async () => {
        if (down && now >= backAt) {
          await receiver.resume();
          down = false;
        }
      },
      4 * 24 * HOUR,
    );
    expect(down).toBe(false);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    expect(outcome.duplicates).toBe(0);
    // The drain backs off to one attempt every 7.5 to 15 minutes (jittered), whatever the backlog's size.
    expect(platform.queue.stats.pushedEvents).toBeLessThanOrEqual(3 * 24 * 8 + 20);
    expect(platform.queue.stats.pushedEvents).toBeGreaterThanOrEqual(3 * 24 * 4);
  });

  it('keeps an event in the backlog when the queue refuses its drain, and the heartbeat drains it', async () => {
    receiver.inject({ kind: 'status', status: 503 });
    platform.queue.refuseNextPushes(429);
    const [payload] = distinctEvents(1) as [Record<string, unknown>];
    await sendAll([payload]);
    expect(platform.queue.pending).toEqual([]);
    expect(account(idsOf([payload])).backlog).toHaveLength(1);
    now += HOUR;
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle(undefined, HOUR);
    const outcome = account(idsOf([payload]));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.backlog).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(1);
  });
});
