import type { BacklogPhase } from './backlog';
import { Severity } from './catalog';
import { appNoticeEntry, type CoralogixEntry, type EntryDestination } from './coralogix-entry';

// Delivery health as the status panel and the heartbeat report it; platform/health.ts keeps it.

export interface HealthCounts {
  delivered: number;
  failedAttempts: number;
  /** Put on the retry queue because storage could not keep them. */
  retriesScheduled: number;
  /** Kept in the backlog (platform/backlog.ts) rather than delivered at once. */
  backlogged: number;
  replayed: number;
  discarded: number;
  lastSuccessAt: number | null;
  lastFailure: { at: number; reason: string } | null;
}

export type DeliveryCountName = Exclude<keyof HealthCounts, 'lastSuccessAt' | 'lastFailure'>;
export type DeliveryCounts = Pick<HealthCounts, DeliveryCountName>;

const COUNT_NAMES: readonly DeliveryCountName[] = [
  'delivered',
  'failedAttempts',
  'retriesScheduled',
  'backlogged',
  'replayed',
  'discarded',
];

export interface HeartbeatRecord {
  at: number;
  outcome: 'delivered' | 'failed' | 'not-configured';
  reason?: string;
  /** The settings revision it ran with: a later save makes it news about settings no longer in use. */
  revision?: number;
}

/** The scheduled trigger's interval (manifest.yml: `interval: hour`). */
export const HEARTBEAT_INTERVAL_MS = 3_600_000;

export interface HealthSummary extends HealthCounts {
  lastHeartbeat: HeartbeatRecord | null;
}

export function emptyCounts(): HealthCounts {
  return {
    delivered: 0,
    failedAttempts: 0,
    retriesScheduled: 0,
    backlogged: 0,
    replayed: 0,
    discarded: 0,
    lastSuccessAt: null,
    lastFailure: null,
  };
}

export function mergeCounts(into: HealthCounts, from: HealthCounts): HealthCounts {
  for (const name of COUNT_NAMES) into[name] += from[name];
  if (from.lastSuccessAt !== null && (into.lastSuccessAt === null || from.lastSuccessAt > into.lastSuccessAt))
    into.lastSuccessAt = from.lastSuccessAt;
  if (from.lastFailure && (!into.lastFailure || from.lastFailure.at > into.lastFailure.at)) into.lastFailure = from.lastFailure;
  return into;
}

export const HEARTBEAT_CLASS_NAME = 'bitbucket-coralogix:heartbeat';

/**
 * The hourly entry that proves the stream is alive: a Coralogix "no data" alert on
 * className = bitbucket-coralogix:heartbeat fires when it goes silent.
 */
export function heartbeatEntry(destination: EntryDestination, health: HealthCounts, backlog: number, now: number): CoralogixEntry {
  const notice = {
    severity: Severity.Debug,
    category: 'heartbeat',
    className: HEARTBEAT_CLASS_NAME,
    type: 'heartbeat',
    action: 'Heartbeat',
  };
  return appNoticeEntry(destination, now, notice, {
    heartbeat: {
      delivered_24h: health.delivered,
      failed_attempts_24h: health.failedAttempts,
      backlogged_24h: health.backlogged,
      backlog,
      last_success_at: health.lastSuccessAt === null ? null : new Date(health.lastSuccessAt).toISOString(),
    },
  });
}

/**
 * What the heartbeat does for a waiting backlog: its drain may have been lost with its queue
 * message, so one is asked for; when the heartbeat itself got through, a drain waiting out a
 * back-off is brought forward instead.
 */
export function heartbeatDrainStep(backlog: number, heartbeatDelivered: boolean): 'none' | 'bring-forward' | 'schedule' {
  if (backlog === 0) return 'none';
  return heartbeatDelivered ? 'bring-forward' : 'schedule';
}

/** The settings as they are now, which is what the status panel's words are about. */
export interface CurrentSettings {
  configured: boolean;
  forwardingEnabled: boolean;
  /** Changes on every save (the settings store's revision); null when nothing is saved. */
  revision: number | null;
}

/**
 * The heartbeat as the admin should read it, judged against the current settings: a record made
 * before the last save (say, "not configured", an hour before the admin configured the app) is not
 * news about the stream as it is now.
 */
export type HeartbeatStatus =
  | { state: 'off'; because: 'not-configured' | 'forwarding-off' }
  /** Not sent with the saved settings yet; the last one, if any, was about earlier settings. */
  | { state: 'pending'; nextBy: number | null }
  | { state: 'delivered'; at: number; nextBy: number | null }
  | { state: 'failed'; at: number; reason: string; nextBy: number | null };

export function heartbeatStatus(record: HeartbeatRecord | null, current: CurrentSettings, now: number): HeartbeatStatus {
  if (!current.configured) return { state: 'off', because: 'not-configured' };
  if (!current.forwardingEnabled) return { state: 'off', because: 'forwarding-off' };
  // An hourly trigger late by more than its interval tells nothing about when it runs next.
  const nextBy = record !== null && record.at + HEARTBEAT_INTERVAL_MS > now ? record.at + HEARTBEAT_INTERVAL_MS : null;
  if (record === null || record.outcome === 'not-configured' || record.revision !== current.revision) return { state: 'pending', nextBy };
  if (record.outcome === 'delivered') return { state: 'delivered', at: record.at, nextBy };
  return { state: 'failed', at: record.at, reason: record.reason ?? 'Coralogix did not take it', nextBy };
}

/** What the status panel's headline is built from. */
export interface HeadlineInput {
  current: CurrentSettings;
  /** When the settings were last saved; null when never. */
  savedAt: number | null;
  lastSuccessAt: number | null;
  lastFailure: { at: number; reason: string } | null;
  backlog: {
    count: number;
    phase: BacklogPhase;
    /** When the drain entered its phase. */
    phaseSince: number;
    oldestAt: number | null;
    /** The oldest waiting event was refused for the key or region. */
    oldestNeedsSettings: boolean;
  };
  /** Version tags that could not be created yet, and why the oldest waits. */
  tags: { waiting: number; reason: string | null };
}

/** One state an admin reads in a second, most pressing first. */
export type Headline =
  | { state: 'not-configured' }
  | { state: 'paused'; waiting: number }
  | { state: 'failing'; since: number; reason: string; needsSettings: boolean }
  | { state: 'catching-up'; waiting: number; draining: boolean }
  /** Log entries flow, but version tags wait: "healthy" would hide a refused tags key. */
  | { state: 'tags-waiting'; waiting: number; reason: string | null; lastSuccessAt: number | null }
  | { state: 'healthy'; lastSuccessAt: number | null };

export function headlineOf(input: HeadlineInput): Headline {
  const { current, backlog, lastFailure, lastSuccessAt, savedAt } = input;
  if (!current.configured) return { state: 'not-configured' };
  if (!current.forwardingEnabled) return { state: 'paused', waiting: backlog.count };
  const needsSettings = backlog.phase === 'waiting-for-settings' || (backlog.count > 0 && backlog.oldestNeedsSettings);
  // Failures from before the last save were about other settings: the drain tries the new ones at once.
  const failing =
    lastFailure !== null && (lastSuccessAt === null || lastFailure.at > lastSuccessAt) && (savedAt === null || lastFailure.at > savedAt);
  if (failing) {
    const evidence = [
      lastFailure.at,
      ...(backlog.oldestAt === null ? [] : [backlog.oldestAt]),
      ...(backlog.phase === 'retrying' || backlog.phase === 'waiting-for-settings' ? [backlog.phaseSince] : []),
    ].filter((at) => lastSuccessAt === null || at > lastSuccessAt);
    return { state: 'failing', since: Math.min(...evidence), reason: lastFailure.reason, needsSettings };
  }
  if (backlog.count > 0) return { state: 'catching-up', waiting: backlog.count, draining: backlog.phase === 'draining' };
  if (input.tags.waiting > 0) return { state: 'tags-waiting', waiting: input.tags.waiting, reason: input.tags.reason, lastSuccessAt };
  return { state: 'healthy', lastSuccessAt };
}
