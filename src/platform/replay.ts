import { afterFailedReplay, causeOf } from '../core/backlog';
import type { DeliverySettings } from '../core/settings';
import { getBacklogItem, holdItem, recordAttempt, removeFromBacklog } from './backlog';
import { requestDrain } from './drain-schedule';
import { countDelivery, countFailure, flushHealth } from './health';
import { sendEntries } from './transport';

// What the admin does from the settings page with the backlog: retry or discard one event now, or
// retry all in the background (the drain, which never sends an event twice at once).

export type ReplayOneResult =
  | { readonly status: 'not-found' }
  | { readonly status: 'delivered' }
  /** Not delivered: still in the backlog, held for the admin or waiting for the drain. */
  | { readonly status: 'kept'; readonly held: boolean; readonly reason: string };

/** Retry one, now: the admin sees the outcome at once. It leaves the backlog only once delivered. */
export async function replayBacklogItem(id: string, settings: DeliverySettings, now: number = Date.now()): Promise<ReplayOneResult> {
  const found = await getBacklogItem(id);
  if (!found) return { status: 'not-found' };
  const item = { ...found.item, delivery: { ...found.item.delivery, attempts: found.item.delivery.attempts + 1, lastAttemptAt: now } };
  const outcome = await sendEntries(settings, [item.delivery.entry]);
  try {
    if (outcome.kind === 'delivered') {
      await removeFromBacklog([item], now);
      countDelivery('delivered', now);
      countDelivery('replayed', now);
      return { status: 'delivered' };
    }
    countFailure(outcome.reason, now);
    const cause = causeOf(outcome);
    const next = afterFailedReplay(cause, item.held);
    if (next.hold) await holdItem(item, cause, outcome.reason, now);
    else await recordAttempt(item, outcome.reason);
    return { status: 'kept', held: next.held, reason: outcome.reason };
  } finally {
    await flushHealth(now);
  }
}

/** Retry all: held events are put back in the drain's way and a drain is started, in the background. */
export async function replayAll(now: number = Date.now()): Promise<void> {
  await requestDrain(now, { force: true, includeHeld: true });
}

export async function discardBacklogItem(id: string, now: number = Date.now()): Promise<boolean> {
  const found = await getBacklogItem(id);
  if (!found) return false;
  await removeFromBacklog([found.item], now);
  countDelivery('discarded', now);
  await flushHealth(now);
  return true;
}
