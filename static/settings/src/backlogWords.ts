import type { BacklogRow, StatusState } from '../../../src/shared/contract';
import { formatMoment, plural } from './format';

// What happens next to waiting events, in words: the status panel and each undelivered event say
// the same thing, from the same status read.

type Backlog = StatusState['backlog'];

export interface NextStep {
  text: string;
  /** Nothing happens until the admin acts. */
  needsYou: boolean;
}

/** When the drain sends them: the scheduled run, else the drain's own next attempt. */
function dueAt(backlog: Backlog): number | null {
  return backlog.scheduledDrainAt ?? backlog.nextAttemptAt;
}

const at = (ms: number | null) => (ms === null ? 'within the hour' : `at ${formatMoment(ms)}`);

/** The settings were saved after this failure: the drain replays it with them. */
function savedSince(status: StatusState, failedAt: number): boolean {
  return status.configured && status.settingsSavedAt !== null && status.settingsSavedAt > failedAt;
}

export function nextStepOfRow(row: BacklogRow, status: StatusState | null): NextStep {
  if (row.held)
    return { text: 'Needs you: Coralogix refused it as it is. Retry it once the cause is fixed, or discard it.', needsYou: true };
  if (status === null) return { text: 'Sent automatically.', needsYou: false };
  const { backlog } = status;
  if (backlog.phase === 'draining') return { text: 'Being sent now, oldest first.', needsYou: false };
  switch (row.cause) {
    case 'configuration':
    case 'not-configured':
      if (savedSince(status, row.lastAttemptAt))
        return { text: `Will be replayed automatically with the saved settings ${at(dueAt(backlog))}.`, needsYou: false };
      return row.cause === 'configuration'
        ? { text: 'Needs the key or region fixed: it is replayed automatically as soon as you save a working one.', needsYou: true }
        : { text: 'Needs the settings saved: it is sent as soon as you do.', needsYou: true };
    case 'forwarding-disabled':
      return status.forwardingEnabled
        ? { text: `Will be sent automatically ${at(dueAt(backlog))}.`, needsYou: false }
        : { text: 'Sent once you switch forwarding on.', needsYou: true };
    default:
      return { text: `Retried automatically ${at(dueAt(backlog))}.`, needsYou: false };
  }
}

/** The backlog in one sentence: how many wait, since when, and what happens next. */
export function backlogSentence(status: StatusState): string {
  const { backlog, headline } = status;
  const waiting = `${plural(backlog.count, 'event waits', 'events wait')}${backlog.oldestAt === null ? '' : ` since ${formatMoment(backlog.oldestAt)}`}.`;
  if (backlog.phase === 'draining') return `${waiting} Sending them now, oldest first: ${backlog.drainedInRun} delivered so far.`;
  if (!status.configured) return `${waiting} They are sent as soon as the settings are saved.`;
  if (!status.forwardingEnabled || backlog.phase === 'paused') return `${waiting} They are sent once forwarding is on again.`;
  if (headline.state === 'failing' && headline.needsSettings)
    return `${waiting} ${headline.reason}. Save a working key or region: they are replayed automatically as soon as you do.`;
  if (status.lastFailure !== null && savedSince(status, status.lastFailure.at))
    return `${waiting} They will be replayed automatically with the saved settings ${at(dueAt(backlog))}.`;
  if (backlog.phase === 'retrying')
    return `${waiting} ${backlog.reason ?? 'Coralogix did not take them'}. Retried automatically ${at(dueAt(backlog))}.`;
  return `${waiting} Sent automatically ${at(dueAt(backlog))}.`;
}
