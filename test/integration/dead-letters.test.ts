import type { PendingDelivery } from '../../src/core/pending';
import { deadLetterInput } from '../../src/shared/contract';
import { validate } from '../../src/core/validation';
import type { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
import type { App } from '../support/app';
import { startConfiguredApp, stopConfiguredApp, useFakeClockAndQuietConsole } from '../support/delivery-harness';

const API_KEY = 'cxtp_DeadLetterSuite012345';


function pending(i: number): PendingDelivery {
  return {
    eventId: i.toString(16).padStart(32, '0'),
    eventType: 'avi:bitbucket:push:repository',
    entry: { applicationName: 'app', subsystemName: 'sub', text: JSON.stringify({ source_system: 'bitbucket', event: { id: i } }) },
    attempts: 3,
    firstAttemptAt: 1_000,
    lastAttemptAt: 2_000,
    lastReason: 'HTTP 503',
  };
}

describe('dead letters', () => {
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

  async function addLetters(count: number): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < count; i += 1) {
      now += 1_000;
      keys.push(await app.addDeadLetter(pending(i), 'retries-exhausted', `failed ${i}`, 1, now, () => 1));
    }
    return keys;
  }

  it('lists the newest first, in pages, without the entry itself', async () => {
    await addLetters(7);
    const first = await app.listDeadLetters(5);
    expect(first.items.map((item) => item.reason)).toEqual(['failed 6', 'failed 5', 'failed 4', 'failed 3', 'failed 2']);
    expect(first.items[0]).not.toHaveProperty('entry');
    expect(first.items[0]).toMatchObject({ eventType: 'avi:bitbucket:push:repository', cause: 'retries-exhausted', attempts: 3, firstAttemptAt: 1_000, lastAttemptAt: 2_000 });
    const second = await app.listDeadLetters(5, first.nextCursor);
    expect(second.items.map((item) => item.reason)).toEqual(['failed 1', 'failed 0']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('keeps at most the bound, evicting the oldest and counting them', async () => {
    await addLetters(app.MAX_DEAD_LETTERS + 5);
    expect(await app.pruneDeadLetters(now)).toBe(5);
    expect(await app.countDeadLetters()).toBe(app.MAX_DEAD_LETTERS);
    const oldest = (await app.allDeadLetters()).at(-1);
    expect(oldest?.value.reason).toBe('failed 5');
    expect(await app.countRecentEvictions(now)).toBe(5);
  }, 30_000);

  it('counts a letter evicted by two instances at once only once', async () => {
    await addLetters(app.MAX_DEAD_LETTERS + 3);
    const [first, second] = await Promise.all([app.pruneDeadLetters(now), app.pruneDeadLetters(now)]);
    expect(first + second).toBeGreaterThanOrEqual(3);
    expect(await app.countDeadLetters()).toBe(app.MAX_DEAD_LETTERS);
    expect(await app.countRecentEvictions(now)).toBe(3);
  }, 30_000);

  it('expires after 30 days', async () => {
    await addLetters(1);
    now += 31 * 24 * 3_600_000;
    expect(await app.countDeadLetters()).toBe(0);
  });

  it('replays one at once and removes it when delivered', async () => {
    const [key] = await addLetters(1);
    const settings = await app.readDeliverySettings();
    if (!settings || !key) throw new Error('setup');
    const result = await app.replayDeadLetter(key, settings, now);
    expect(result).toEqual({ status: 'attempted', attempt: { result: 'delivered' } });
    expect(receiver.entries).toHaveLength(1);
    expect(await app.countDeadLetters()).toBe(0);
  });

  it('keeps a replayed letter that fails again, as a new dead letter with one more attempt', async () => {
    const [key] = await addLetters(1);
    const settings = await app.readDeliverySettings();
    if (!settings || !key) throw new Error('setup');
    receiver.inject({ kind: 'status', status: 400 });
    const result = await app.replayDeadLetter(key, settings, now + 5_000);
    expect(result).toMatchObject({ status: 'attempted', attempt: { result: 'dead-lettered', cause: 'malformed' } });
    const letters = await app.allDeadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.value).toMatchObject({ attempts: 4, cause: 'malformed' });
  });

  it('replays all through the retry queue', async () => {
    await addLetters(60);
    expect(await app.replayAllDeadLetters(now)).toBe(60);
    expect(await app.countDeadLetters()).toBe(0);
    // 60 events need two pushes: the platform takes at most 50 per push.
    expect(platform.queue.stats.pushes).toBe(2);
    await platform.queue.deliverDue();
    expect(receiver.entries).toHaveLength(60);
  });

  it('reports a missing letter on replay and on discard', async () => {
    const settings = await app.readDeliverySettings();
    if (!settings) throw new Error('setup');
    expect(await app.replayDeadLetter('dead:0000000000001:00000000000000000000000000000000', settings)).toEqual({ status: 'not-found' });
    expect(await app.discardDeadLetter('dead:0000000000001:00000000000000000000000000000000')).toBe(false);
  });

  it('discards one and counts it', async () => {
    const [key] = await addLetters(2);
    expect(await app.discardDeadLetter(key as string, now)).toBe(true);
    expect(await app.countDeadLetters()).toBe(1);
    expect((await app.readHealth(now)).discarded).toBe(1);
  });

  it('stores under keys the resolver contract accepts, and no other key passes it', async () => {
    const [key] = await addLetters(1);
    const isDeadLetterKey = (candidate: string) => validate(deadLetterInput, { key: candidate }).ok;
    expect(isDeadLetterKey(key as string)).toBe(true);
    expect(isDeadLetterKey('dead:8237078800000:0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isDeadLetterKey('settings:v1')).toBe(false);
    expect(isDeadLetterKey('dead:1:../../x')).toBe(false);
  });
});
