import { Severity } from './catalog';
import { appNoticeEntry, type CoralogixEntry, type EntryDestination } from './coralogix-entry';
import { describeEntry, type EventDescription } from './event-description';
import type { DeliveryOutcome } from './outcome';
import type { PendingDelivery } from './pending';
import type { FailureCause } from './retry-policy';
import { MAX_RETRY_DELAY_S, retryDelaySeconds } from './retry-policy';

// The durable backlog: every entry that could not be delivered when its event came is kept in the
// installation's storage until it is delivered or an admin discards it, and a single drain per
// installation sends it back oldest first, many entries to a request. These are its rules; the
// platform layer (platform/backlog.ts, platform/drain.ts) stores and sends.

/**
 * How many events one installation may keep waiting. Forge documents no total storage limit per
 * installation; what bounds it is cost and the drain: 100,000 entries of a typical 3 KB are 300 MB
 * written once ($0.33 beyond the free 0.1 GB a month, Forge pricing) and drained in about 25 minutes
 * within the storage rate limits (see DRAIN_*). A week of 10,000 events a day is 70,000.
 */
export const BACKLOG_CAPACITY_EVENTS = 100_000;

/** Coralogix refuses a /logs/v1/singles request over 2 MB whole (coralogix-facts.md); some room is kept for the array's punctuation and rounding. */
export const MAX_DRAIN_REQUEST_BYTES = 1_900_000;
/** Entries per drain request, whatever their size: 70,000 events then take 70 requests or more (≤ 1 per 200 is the aim). */
export const MAX_DRAIN_REQUEST_ENTRIES = 1_000;

/**
 * Storage units (10 KB, Forge KVS limits) a drain may spend each minute, reading and writing: half of
 * the installation's 4,000, so new events, the settings page and the heartbeat always find room.
 */
export const DRAIN_READ_UNITS_PER_MINUTE = 2_000;
export const DRAIN_WRITE_UNITS_PER_MINUTE = 2_000;

/** A refused key or region cannot fix itself: the drain probes again this seldom, and at once when the settings are saved. */
export const CONFIGURATION_PROBE_DELAY_S = 900;

export type BacklogPhase =
  /** Nothing waits, or what waits is being sent. */
  | 'idle'
  | 'draining'
  /** Coralogix failed the last attempt in a way that may pass: tried again at nextAttemptAt. */
  | 'retrying'
  /** Coralogix refused the key or region: waits for new settings (probed now and then). */
  | 'waiting-for-settings'
  /** Not configured, or forwarding switched off: waits for the admin. */
  | 'paused';

/** What the drain last did, written only by the drain that holds the lease. */
export interface DrainState {
  phase: BacklogPhase;
  /** Why it is not draining, in words an admin understands. */
  reason: string | null;
  since: number;
  nextAttemptAt: number | null;
  consecutiveFailures: number;
  /** Delivered since the backlog last started to drain. */
  drainedInRun: number;
  lastDrainedAt: number | null;
  /** Storage the drain spent lately: runs within one minute share its share. */
  spent?: StorageSpent;
}

/** Storage units one drain run spent, recorded when it ended. */
export interface StorageSpend {
  at: number;
  readUnits: number;
  writeUnits: number;
}

export interface StorageSpent {
  /**
   * What runs spent in the last minute, oldest first. Forge counts units over any sliding minute,
   * not minutes that begin when a drain does: a share kept per fixed minute lets two runs either
   * side of its end spend twice the share within sixty seconds, leaving new events none.
   */
  lastMinute?: StorageSpend[];
  /**
   * Storage requests made since `requestsSince`, which count against that one second: a run that
   * starts within it shares it. The second does not move with each run, so runs that find it spent
   * wait for it to end rather than renew it.
   */
  requestsSince?: number;
  requests?: number;
}

const MINUTE_MS = 60_000;

/** What of `spends` still counts at `now`: recorded within the last minute. */
export function spendsWithinMinute(spends: ReadonlyArray<StorageSpend>, now: number): StorageSpend[] {
  return spends.filter((spend) => spend.at > now - MINUTE_MS);
}

/**
 * Seconds until a run that has spent `current` so far (counted at `now`) may spend more beside
 * what earlier runs spent: 0 while the drain's share of the last minute lasts; otherwise until
 * enough of the oldest spends leave the minute, or a whole minute when this run alone spent it.
 */
export function secondsUntilShareLasts(earlier: ReadonlyArray<StorageSpend>, current: Omit<StorageSpend, 'at'>, now: number): number {
  const counted = spendsWithinMinute(earlier, now).sort((a, b) => a.at - b.at);
  let readUnits = current.readUnits + counted.reduce((sum, spend) => sum + spend.readUnits, 0);
  let writeUnits = current.writeUnits + counted.reduce((sum, spend) => sum + spend.writeUnits, 0);
  const lasts = () => readUnits < DRAIN_READ_UNITS_PER_MINUTE && writeUnits < DRAIN_WRITE_UNITS_PER_MINUTE;
  if (lasts()) return 0;
  for (const spend of counted) {
    readUnits -= spend.readUnits;
    writeUnits -= spend.writeUnits;
    if (lasts()) return Math.max(1, Math.ceil((spend.at + MINUTE_MS - now) / 1000));
  }
  return MINUTE_MS / 1000;
}

/** The last minute's spends with this run's added, one a second at most so the list stays short. */
export function withSpend(earlier: ReadonlyArray<StorageSpend>, spend: StorageSpend): StorageSpend[] {
  const kept = spendsWithinMinute(earlier, spend.at);
  if (spend.readUnits === 0 && spend.writeUnits === 0) return kept;
  const last = kept[kept.length - 1];
  if (last && spend.at - last.at < 1_000 && spend.at >= last.at) {
    return [
      ...kept.slice(0, -1),
      { at: spend.at, readUnits: last.readUnits + spend.readUnits, writeUnits: last.writeUnits + spend.writeUnits },
    ];
  }
  return [...kept, spend];
}

export const IDLE_DRAIN_STATE: DrainState = {
  phase: 'idle',
  reason: null,
  since: 0,
  nextAttemptAt: null,
  consecutiveFailures: 0,
  drainedInRun: 0,
  lastDrainedAt: null,
};

/** Events dropped for room: how many, and the span of when they were kept. */
export interface DroppedEvents {
  count: number;
  firstBackloggedAt: number;
  lastBackloggedAt: number;
  /** Set once Coralogix has taken the entry that says so; the admin still sees it. */
  reportedAt: number | null;
}

/** The entry that tells Coralogix, once it takes entries again, how many events were dropped for room, and from when. */
export function droppedEventsEntry(destination: EntryDestination, dropped: DroppedEvents, now: number): CoralogixEntry {
  const notice = {
    severity: Severity.Error,
    category: 'backlog',
    className: BACKLOG_OVERFLOW_CLASS_NAME,
    type: 'backlog-overflow',
    action: 'Undelivered events dropped',
  };
  return appNoticeEntry(destination, now, notice, {
    backlog_overflow: {
      dropped_events: dropped.count,
      from: new Date(dropped.firstBackloggedAt).toISOString(),
      to: new Date(dropped.lastBackloggedAt).toISOString(),
      capacity: BACKLOG_CAPACITY_EVENTS,
    },
  });
}

export const BACKLOG_OVERFLOW_CLASS_NAME = 'bitbucket-coralogix:backlog-overflow';

/** What an admin sees of one waiting event: everything but the entry. */
export interface BacklogSummary {
  eventId: string;
  eventType: string;
  cause: FailureCause;
  reason: string;
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  /** When it was first kept. */
  backloggedAt: number;
  /** Refused as it is (malformed, too large): the drain leaves it for the admin to retry or discard. */
  held: boolean;
  /** Repository and what happened, so the admin recognises the event. Absent from summaries kept by earlier versions. */
  description?: EventDescription;
}

/** The summary of an entry kept now, from what its delivery carries. */
export function backlogSummaryOf(delivery: PendingDelivery, cause: FailureCause, reason: string, now: number): BacklogSummary {
  const { eventId, eventType, attempts, firstAttemptAt, lastAttemptAt } = delivery;
  return {
    eventId,
    eventType,
    cause,
    reason,
    attempts,
    firstAttemptAt,
    lastAttemptAt,
    backloggedAt: now,
    held: isHeldCause(cause),
    description: describeEntry(delivery.entry),
  };
}

/** Why an attempt left an entry waiting. */
export function causeOf(outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>): FailureCause {
  return outcome.kind === 'rejected' ? outcome.cause : 'unavailable';
}

/** An entry refused on its own merits waits for the admin; anything else waits for the drain. */
export function isHeldCause(cause: FailureCause): boolean {
  return cause === 'malformed' || cause === 'too-large';
}

/**
 * After one item's replay failed: an entry Coralogix refused as it is is held for the admin (the
 * drain would only send it again); any other failure leaves it where it was, for the drain.
 */
export function afterFailedReplay(cause: FailureCause, alreadyHeld: boolean): { readonly hold: boolean; readonly held: boolean } {
  const refusedAsItIs = isHeldCause(cause);
  return { hold: refusedAsItIs && !alreadyHeld, held: refusedAsItIs || alreadyHeld };
}

const TIME_DIGITS = 13;

/** `<13-digit ms>:<event id>`: keys in time order, so a prefix query pages oldest first. */
export function backlogItemId(backloggedAt: number, eventId: string): string {
  return `${String(Math.max(0, Math.floor(backloggedAt))).padStart(TIME_DIGITS, '0')}:${eventId}`;
}

export const BACKLOG_ITEM_ID = /^\d{13}:[0-9a-f]{32}$/;

/**
 * Consecutive entries (in the order given, oldest first) grouped into requests of at most `maxBytes`
 * of JSON and `maxEntries` entries. An entry larger than `maxBytes` on its own (never: entries are
 * capped at 100 KB) still gets a request of its own rather than being dropped.
 */
export function planBatches<T>(
  items: readonly T[],
  bytesOf: (item: T) => number,
  maxBytes = MAX_DRAIN_REQUEST_BYTES,
  maxEntries = MAX_DRAIN_REQUEST_ENTRIES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 2;
  for (const item of items) {
    const bytes = bytesOf(item) + 1;
    if (current.length > 0 && (current.length >= maxEntries || currentBytes + bytes > maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 2;
    }
    current.push(item);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export type DrainStop =
  | { readonly phase: 'retrying'; readonly reason: string; readonly delaySeconds: number }
  | { readonly phase: 'waiting-for-settings'; readonly reason: string; readonly delaySeconds: number };

/**
 * When a drain request fails as a whole: how long until the next attempt. Failures that may pass
 * back off from 30 s to 15 min (a Retry-After is a floor), so a week-long outage costs about 100
 * requests a day, not one per event; a refused key is probed every 15 minutes.
 */
export function drainStopAfter(
  outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>,
  consecutiveFailures: number,
  random: () => number = Math.random,
): DrainStop {
  if (outcome.kind === 'rejected' && outcome.cause === 'configuration') {
    return { phase: 'waiting-for-settings', reason: outcome.reason, delaySeconds: CONFIGURATION_PROBE_DELAY_S };
  }
  const retryAfterMs = outcome.kind === 'retryable' ? outcome.retryAfterMs : undefined;
  return {
    phase: 'retrying',
    reason: outcome.reason,
    delaySeconds: Math.min(MAX_RETRY_DELAY_S, retryDelaySeconds(consecutiveFailures, retryAfterMs, random)),
  };
}
