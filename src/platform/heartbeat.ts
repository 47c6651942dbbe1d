import { Severity } from '../core/catalog';
import type { CoralogixEntry } from '../core/entry';
import { backlogCount } from './backlog';
import { bringDrainForward, requestDrain } from './drain-schedule';
import { flushHealth, readHealth, recordHeartbeat } from './health';
import { cachedDeliverySettings } from './settings-cache';
import { sendEntries } from './transport';
import { errorName } from './log-safe';

export const HEARTBEAT_CLASS_NAME = 'bitbucket-coralogix:heartbeat';

/**
 * Hourly: a small entry proves the stream is alive (a Coralogix "no data" alert on
 * className = bitbucket-coralogix:heartbeat fires when it goes silent), health is written, and a
 * backlog whose drain was lost (its queue message with it) gets a drain again; when the heartbeat
 * got through, one that waits out a back-off is brought forward.
 */
export interface HeartbeatResult {
  readonly heartbeat: 'delivered' | 'failed' | 'not-configured';
  readonly backlog: number;
}

export async function runHeartbeat(now: number = Date.now()): Promise<HeartbeatResult> {
  await flushHealth(now, { force: true });
  const settings = await cachedDeliverySettings(now);
  if (!settings || !settings.forwardingEnabled) {
    await recordHeartbeat({ at: now, outcome: 'not-configured' });
    return { heartbeat: 'not-configured', backlog: await backlogCount() };
  }
  const [health, backlog] = await Promise.all([readHealth(now), backlogCount()]);
  const entry: CoralogixEntry = {
    applicationName: settings.applicationName,
    subsystemName: settings.subsystemName,
    timestamp: now,
    severity: Severity.Debug,
    category: 'heartbeat',
    className: HEARTBEAT_CLASS_NAME,
    methodName: 'Heartbeat',
    text: JSON.stringify({
      source_system: 'bitbucket',
      event: { type: 'heartbeat', action: 'Heartbeat', timestamp: new Date(now).toISOString() },
      heartbeat: {
        delivered_24h: health.delivered,
        failed_attempts_24h: health.failedAttempts,
        backlogged_24h: health.backlogged,
        backlog: backlog,
        last_success_at: health.lastSuccessAt === null ? null : new Date(health.lastSuccessAt).toISOString(),
      },
    }),
  };
  const outcome = await sendEntries(settings, [entry]);
  await recordHeartbeat(outcome.kind === 'delivered' ? { at: now, outcome: 'delivered' } : { at: now, outcome: 'failed', reason: outcome.reason });
  if (backlog > 0) {
    try {
      if (outcome.kind === 'delivered') await bringDrainForward(now);
      else await requestDrain(now, { delaySeconds: 60 });
    } catch (error) {
      console.warn(`Could not schedule the backlog's drain (${errorName(error)})`);
    }
  }
  return { heartbeat: outcome.kind === 'delivered' ? 'delivered' : 'failed', backlog };
}
