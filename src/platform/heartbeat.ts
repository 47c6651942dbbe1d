import { Severity } from '../core/catalog';
import type { CoralogixEntry } from '../core/entry';
import type { DeadLetter } from '../core/pending';
import { flushHealth, readHealth, recordHeartbeat } from './health';
import { replayAllDeadLetters } from './replay';
import { cachedDeliverySettings } from './settings-cache';
import { sendEntries } from './transport';

export const HEARTBEAT_CLASS_NAME = 'bitbucket-coralogix:heartbeat';

/**
 * Hourly: a small entry proves the stream is alive (a Coralogix "no data" alert on
 * className = bitbucket-coralogix:heartbeat fires when it goes silent), health is written, and dead
 * letters refused for the key or region are replayed once if the settings have changed since.
 */
export interface HeartbeatResult {
  readonly heartbeat: 'delivered' | 'failed' | 'not-configured';
  readonly replayed: number;
}

export async function runHeartbeat(now: number = Date.now()): Promise<HeartbeatResult> {
  await flushHealth(now, { force: true });
  const settings = await cachedDeliverySettings(now);
  if (!settings || !settings.forwardingEnabled) {
    await recordHeartbeat({ at: now, outcome: 'not-configured' });
    return { heartbeat: 'not-configured', replayed: 0 };
  }
  const health = await readHealth(now);
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
        dead_lettered_24h: health.deadLettered,
        last_success_at: health.lastSuccessAt === null ? null : new Date(health.lastSuccessAt).toISOString(),
      },
    }),
  };
  const outcome = await sendEntries(settings, [entry]);
  await recordHeartbeat(outcome.kind === 'delivered' ? { at: now, outcome: 'delivered' } : { at: now, outcome: 'failed', reason: outcome.reason });

  const fixedSinceFailure = (letter: DeadLetter) =>
    letter.cause === 'configuration' && !letter.autoReplayed && letter.settingsRevision !== null && letter.settingsRevision !== settings.revision;
  const replayed = outcome.kind === 'delivered' ? await replayAllDeadLetters(now, fixedSinceFailure, { autoReplayed: true }) : 0;
  return { heartbeat: outcome.kind === 'delivered' ? 'delivered' : 'failed', replayed };
}
