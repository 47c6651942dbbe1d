import { heartbeatDrainStep, heartbeatEntry, type HeartbeatRecord } from '../core/health';
import { backlogCount } from './backlog';
import { bringDrainForward, requestDrain } from './drain-schedule';
import { flushHealth, readHealth, recordHeartbeat } from './health';
import { cachedDeliverySettings } from './settings-cache';
import { scheduleWaitingTags } from './tags';
import { sendEntries } from './transport';
import { errorName } from './log-safe';

/** Hourly: the heartbeat entry is sent, health is written, and a waiting backlog's drain looked after. */
export interface HeartbeatResult {
  readonly heartbeat: HeartbeatRecord['outcome'];
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
  const outcome = await sendEntries(settings, [heartbeatEntry(settings, health, backlog, now)]);
  const { revision } = settings;
  await recordHeartbeat(
    outcome.kind === 'delivered'
      ? { at: now, outcome: 'delivered', revision }
      : { at: now, outcome: 'failed', reason: outcome.reason, revision },
  );
  const drainStep = heartbeatDrainStep(backlog, outcome.kind === 'delivered');
  try {
    if (drainStep === 'bring-forward') await bringDrainForward(now);
    else if (drainStep === 'schedule') await requestDrain(now, { delaySeconds: 60 });
    await scheduleWaitingTags(now);
  } catch (error) {
    console.warn(`Could not schedule the backlog's drain (${errorName(error)})`);
  }
  return { heartbeat: outcome.kind === 'delivered' ? 'delivered' : 'failed', backlog };
}
