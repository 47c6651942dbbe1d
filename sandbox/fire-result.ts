import { InvocationError } from '@forge/events';
import type { TriggerResult } from '../src/platform/trigger';
import { errorMessage } from './errors';
import type { InvocationResult } from './platform/forge-platform';
import type { Destination } from './state';

export type FireResult =
  | { outcome: 'delivered'; eventId?: string; destination: Destination['kind'] }
  /** Not delivered now: kept on the retry queue (storage failed) or in the backlog, sent automatically unless `held`. */
  | { outcome: 'queued'; eventId: string; reason: string; retryInSeconds: number | null }
  | { outcome: 'held'; eventId: string; cause: string; reason: string }
  | { outcome: 'not-configured' }
  | { outcome: 'skipped'; reason: 'forwarding-disabled' | 'not-selected' | 'outside-scope' }
  /** Only the deployment's version tag was wanted: created, or kept and retried. */
  | { outcome: 'tagged'; eventId: string; tag: string; created: boolean }
  | { outcome: 'failed'; error: string };

/** What the trigger says became of a fired event, in the terms the console and the replay report. */
export function fireResultOf(invocation: InvocationResult<unknown>, destination: Destination, now: () => number): FireResult {
  if (!invocation.ok) return { outcome: 'failed', error: errorMessage(invocation.error) };
  const result = invocation.value as TriggerResult | InvocationError;
  if (result instanceof InvocationError) return { outcome: 'failed', error: 'The trigger asked Forge to invoke it again' };
  switch (result.status) {
    case 'skipped':
      if (result.reason === 'not-configured') return { outcome: 'not-configured' };
      if (result.reason === 'event-not-selected') return { outcome: 'skipped', reason: 'not-selected' };
      return { outcome: 'skipped', reason: result.reason };
    case 'tagged':
      return { outcome: 'tagged', eventId: result.eventId, tag: result.tag.name, created: result.tag.result === 'created' };
    case 'deferred':
      return { outcome: 'queued', eventId: '', reason: result.reason, retryInSeconds: result.delaySeconds };
    case 'retry-requested':
      return { outcome: 'failed', error: result.reason };
    case 'handled': {
      const attempt = result.attempt;
      if (attempt.result === 'delivered') return { outcome: 'delivered', destination: destination.kind, eventId: result.eventId };
      if (attempt.result === 'retry-scheduled')
        return { outcome: 'queued', eventId: result.eventId, reason: attempt.reason, retryInSeconds: attempt.delaySeconds };
      if (attempt.held) return { outcome: 'held', eventId: result.eventId, cause: attempt.cause, reason: attempt.reason };
      const retryInSeconds = attempt.drainDueAt === null ? null : Math.max(0, Math.round((attempt.drainDueAt - now()) / 1000));
      return { outcome: 'queued', eventId: result.eventId, reason: attempt.reason, retryInSeconds };
    }
  }
}
