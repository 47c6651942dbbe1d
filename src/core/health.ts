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
}

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
