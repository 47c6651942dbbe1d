import type { BacklogSummary } from '../../src/core/backlog';
import { eventIdOf } from '../../src/core/event-id';
import { defaultStoredSettings } from '../../src/core/settings';
import { HEARTBEAT_CLASS_NAME } from '../../src/core/health';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { StorageKeys } from '../../src/platform/storage-keys';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { loadApp, type App } from './app';
import { routeCoralogix } from './egress';

/**
 * A freshly loaded app on the local platform, its retry queue wired, configured for EU1 with `apiKey`.
 * Every region's ingress and API host reach the receiver, which also takes `tagsKeys` for version tags.
 */
export async function startConfiguredApp(
  apiKey: string,
  now: () => number,
  options: { invocationTimeoutMs?: number; tagsKeys?: string[] } = {},
): Promise<{ platform: ForgePlatform; receiver: CoralogixReceiver; app: App }> {
  const { tagsKeys, ...platformOptions } = options;
  const receiver = await CoralogixReceiver.start({ apiKeys: [apiKey], ...(tagsKeys ? { tagsKeys } : {}) });
  const platform = new ForgePlatform({ now, ...platformOptions });
  routeCoralogix(platform, receiver.url);
  const app = loadApp();
  platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) => app.retryDelivery(event as Parameters<App['retryDelivery']>[0], context));
  await app.writeSettings(defaultStoredSettings(), apiKey, now());
  return { platform, receiver, app };
}

/**
 * For the describe block it is called in: Date.now reads the test's fake clock, and the app's
 * console output (expected warnings about injected faults) is silenced.
 */
export function useFakeClockAndQuietConsole(now: () => number): void {
  beforeAll(() => {
    jest.spyOn(Date, 'now').mockImplementation(now);
    for (const method of ['log', 'warn', 'error'] as const) jest.spyOn(console, method).mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());
}

/** Undoes startConfiguredApp. */
export async function stopConfiguredApp(started: { platform: ForgePlatform; receiver: CoralogixReceiver }): Promise<void> {
  await started.receiver.close().catch(() => undefined);
  started.platform.uninstall();
}

/** Where every sent event ended: delivered (possibly more than once), kept in the backlog, or nowhere. */
export interface Accounting {
  sent: string[];
  deliveredIds: Set<string>;
  duplicates: number;
  /** Summaries of what waits in the backlog, each with its body present. */
  backlog: BacklogSummary[];
  /** Events on the retry queue (storage could not keep them). */
  queued: number;
  unaccounted: string[];
  /** Events the platform dropped (queue events past its retries or retention, triggers retried out or thrown). */
  lostByPlatform: number;
}

export const idsOf = (payloads: Array<Record<string, unknown>>): string[] => payloads.map((payload) => eventIdOf(payload));

export function accountFor(platform: ForgePlatform, receiver: CoralogixReceiver, sent: string[]): Accounting {
  const received = receiver.entries
    .filter((entry) => entry.className !== HEARTBEAT_CLASS_NAME)
    .map((entry) => JSON.parse(entry.text).event.id as string);
  const deliveredIds = new Set(received);
  const keys = platform.kvs.keys();
  // A waiting event is one whose body the drain can read; the summary alone would only be listed.
  const bodies = new Set(
    keys
      .filter((key) => key.startsWith(StorageKeys.backlogBodyPrefix) || key.startsWith(StorageKeys.backlogHeldPrefix))
      .map((key) => key.slice(key.lastIndexOf(':') + 1)),
  );
  const backlog = keys
    .filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))
    .map((key) => platform.kvs.peek(key) as BacklogSummary);
  const queuedIds = new Set(
    platform.queue.pending
      .map((event) => (event.body as { eventId?: unknown }).eventId)
      .filter((id): id is string => typeof id === 'string'),
  );
  return {
    sent,
    deliveredIds,
    duplicates: received.length - deliveredIds.size,
    backlog: backlog.filter((summary) => bodies.has(summary.eventId)),
    queued: queuedIds.size,
    unaccounted: sent.filter((id) => !deliveredIds.has(id) && !bodies.has(id) && !queuedIds.has(id)),
    lostByPlatform: platform.installations.reduce(
      (lost, installation) => lost + installation.queue.stats.abandoned.length + installation.productEvents.lost.length,
      0,
    ),
  };
}
