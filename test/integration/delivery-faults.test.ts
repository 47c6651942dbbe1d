import { RETRY_WINDOW_MS } from '../../src/core/retry-policy';
import { defaultStoredSettings } from '../../src/core/settings';
import { HEARTBEAT_CLASS_NAME } from '../../src/platform/heartbeat';
import type { CoralogixReceiver, Fault } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
import type { App } from '../support/app';
import { accountFor, idsOf, startConfiguredApp, stopConfiguredApp, useFakeClockAndQuietConsole, type Accounting } from '../support/delivery-harness';
import { distinctEvents } from '../support/fixtures';

// Fault injection: for each way Coralogix can misbehave, N events go in and every one must come out
// delivered (at least once; exactly once after de-duplicating by event id) or kept as a dead letter
// with its reason. The queue runs on a controllable clock, so a day of retries takes seconds.

const API_KEY = 'cxtp_FaultSuiteKey0123456789';
const EVENTS = 12;
// A short invocation limit makes the send timeout 1 s (it keeps 5 s for bookkeeping), so "slower than
// the timeout" costs little real time.
const INVOCATION_TIMEOUT_MS = 6_000;
const SLOW_MS = 1_500;

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

  /** Runs the retry queue on the fake clock until it is empty, calling `onTick` before each step. */
  async function settle(onTick: () => Promise<void> = async () => undefined, limitMs = 2 * RETRY_WINDOW_MS): Promise<void> {
    const deadline = now + limitMs;
    for (;;) {
      await onTick();
      await platform.queue.deliverDue();
      const next = platform.queue.nextDueAt();
      if (next === undefined) return;
      if (next > deadline) throw new Error('the retry queue did not settle');
      now = Math.max(now, next);
    }
  }

  const deadLetters = () => accountFor(platform, receiver, []).deadLetters;
  const account = (sentIds: string[]) => accountFor(platform, receiver, sentIds);

  async function run(faults: Fault[], onTick?: () => Promise<void>): Promise<Accounting> {
    receiver.inject(...faults);
    const payloads = distinctEvents(EVENTS);
    await sendAll(payloads);
    await settle(onTick);
    return account(idsOf(payloads));
  }

  async function expectStatusPanelToAgree(outcome: Accounting): Promise<void> {
    now += 61_000;
    await platform.invoke(() => app.heartbeat({}, {}));
    const health = await app.readHealth(now);
    const receivedEvents = receiver.entries.filter((entry) => entry.className !== HEARTBEAT_CLASS_NAME).length;
    // Late answers past the timeout are the only deliveries the app cannot see succeed.
    expect(health.delivered).toBe(receivedEvents - outcome.duplicates);
    expect(health.deadLettered).toBe(outcome.deadLetters.length);
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
    it('delivers every event exactly once after retries', async () => {
      const outcome = await run(Array.from({ length: 8 }, () => fault));
      expect(outcome.unaccounted).toEqual([]);
      expect(outcome.deadLetters).toEqual([]);
      expect([...outcome.deliveredIds].sort()).toEqual([...outcome.sent].sort());
      expect(outcome.duplicates).toBe(0);
      expect(outcome.lostByPlatform).toBe(0);
      expect(platform.queue.stats.pushedEvents).toBeGreaterThanOrEqual(8);
      await expectStatusPanelToAgree(outcome);
    });
  });

  it('waits at least as long as Retry-After asks', async () => {
    receiver.inject({ kind: 'status', status: 429, retryAfter: '600' });
    const [payload] = distinctEvents(1);
    const start = now;
    await sendAll([payload as Record<string, unknown>]);
    expect(platform.queue.pending[0]?.deliverAt).toBeGreaterThanOrEqual(start + 600_000);
  });

  it('retries answers slower than the send timeout, and counts the duplicates they cause', async () => {
    const outcome = await run(Array.from({ length: 3 }, () => ({ kind: 'delay', ms: SLOW_MS }) as Fault));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toEqual([]);
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
    expect(outcome.deadLetters).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    expect(outcome.duplicates).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it('survives a flapping receiver', async () => {
    const flapping = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ({ kind: 'status', status: 503 } as Fault) : ({ kind: 'pass' } as Fault)));
    const outcome = await run(flapping);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toEqual([]);
    expect(outcome.deliveredIds.size).toBe(EVENTS);
    expect(outcome.duplicates).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it.each([400, 404, 422])('keeps events refused as malformed (HTTP %i) as dead letters at once', async (status) => {
    const outcome = await run(Array.from({ length: EVENTS }, () => ({ kind: 'status', status }) as Fault));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toHaveLength(EVENTS);
    for (const letter of outcome.deadLetters) expect(letter).toMatchObject({ cause: 'malformed', attempts: 1, reason: expect.stringContaining(`HTTP ${status}`) });
    expect(platform.queue.stats.pushedEvents).toBe(0);
    await expectStatusPanelToAgree(outcome);
  });

  it('keeps events refused for the key as dead letters, and replays them once after the key is replaced', async () => {
    receiver.acceptKeys('cxtp_TheNewKey0123456789');
    const outcome = await run([]);
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toHaveLength(EVENTS);
    for (const letter of outcome.deadLetters) expect(letter).toMatchObject({ cause: 'configuration', reason: expect.stringMatching(/key.*region/) });

    // A heartbeat without a settings change replays nothing.
    receiver.acceptKeys(API_KEY, 'cxtp_TheNewKey0123456789');
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle();
    expect(deadLetters()).toHaveLength(EVENTS);

    // The admin replaces the key: the next heartbeat replays those refused for the key, once.
    now += 60_000;
    await app.writeSettings(defaultStoredSettings(), 'cxtp_TheNewKey0123456789', now);
    app.invalidateSettingsCache();
    receiver.acceptKeys('cxtp_TheNewKey0123456789');
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle();
    const after = account(outcome.sent);
    expect(after.unaccounted).toEqual([]);
    expect(after.deadLetters).toEqual([]);
    expect(after.deliveredIds.size).toBe(EVENTS);
  });

  it('replays a configuration dead letter only once, automatically', async () => {
    receiver.acceptKeys('nobody');
    const outcome = await run([]);
    expect(outcome.deadLetters).toHaveLength(EVENTS);
    now += 60_000;
    await app.writeSettings(defaultStoredSettings(), 'cxtp_StillWrongKey012345', now);
    app.invalidateSettingsCache();
    receiver.acceptKeys('nobody', 'cxtp_StillWrongKey012345');
    // The heartbeat itself gets through (its key is accepted) but the receiver refuses the replays.
    receiver.inject({ kind: 'pass' }, ...Array.from({ length: EVENTS }, () => ({ kind: 'status', status: 403 }) as Fault));
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle();
    const letters = deadLetters();
    expect(letters).toHaveLength(EVENTS);
    for (const letter of letters) expect(letter.autoReplayed).toBe(true);
    // A later save and heartbeat leave them for the admin.
    now += 60_000;
    await app.writeSettings(defaultStoredSettings(), 'cxtp_StillWrongKey012345', now);
    app.invalidateSettingsCache();
    await platform.invoke(() => app.heartbeat({}, {}));
    await settle();
    expect(deadLetters()).toHaveLength(EVENTS);
  });

  it('trims an entry Coralogix refuses as too large and delivers it', async () => {
    const [payload] = distinctEvents(1) as [Record<string, unknown>];
    const big = structuredClone(payload);
    big.eventType = 'avi:bitbucket:push:repository';
    big.push = {
      ref: 'main',
      commits: Array.from({ length: 20 }, (_, i) => ({ hash: `${i}`.padStart(40, 'a'), message: { value: 'word '.repeat(600), truncated: false } })),
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

  it('gives up after 24 hours of failures and keeps every event as a dead letter', async () => {
    const outcome = await run(Array.from({ length: 2000 }, () => ({ kind: 'status', status: 503 }) as Fault));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toHaveLength(EVENTS);
    for (const letter of outcome.deadLetters) {
      expect(letter.cause).toBe('retries-exhausted');
      expect(letter.lastAttemptAt - letter.firstAttemptAt).toBeLessThanOrEqual(RETRY_WINDOW_MS);
      expect(letter.lastAttemptAt - letter.firstAttemptAt).toBeGreaterThan(RETRY_WINDOW_MS - 30 * 60_000);
    }
    await expectStatusPanelToAgree(outcome);
  });

  it('keeps an event as a dead letter when the retry queue refuses it', async () => {
    receiver.inject({ kind: 'status', status: 503 });
    platform.queue.refuseNextPushes(429);
    const [payload] = distinctEvents(1) as [Record<string, unknown>];
    await sendAll([payload]);
    const outcome = account(idsOf([payload]));
    expect(outcome.unaccounted).toEqual([]);
    expect(outcome.deadLetters).toEqual([expect.objectContaining({ cause: 'retry-unavailable', reason: expect.stringContaining('HTTP 503') })]);
  });
});
