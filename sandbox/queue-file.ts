import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from './errors';
import type { QueuedEvent } from './platform/queue-emulator';

function isQueuedEvent(value: unknown): value is QueuedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event.queueName === 'string' &&
    typeof event.jobId === 'string' &&
    typeof event.eventId === 'string' &&
    typeof event.body === 'object' &&
    event.body !== null &&
    !Array.isArray(event.body) &&
    typeof event.deliverAt === 'number' &&
    Number.isFinite(event.deliverAt) &&
    typeof event.retryCount === 'number' &&
    (event.retryReason === undefined || typeof event.retryReason === 'string')
  );
}

/** The emulated retry queue's contents in a file, so they survive a restart as Forge's queue would keep them. */
export class QueueFile {
  private saved = '';

  constructor(
    private readonly file: string,
    private readonly pending: QueuedEvent[],
    private readonly log: (line: string) => void,
  ) {}

  /** Puts the events saved by the last run back on the queue; a file that cannot be read is ignored. */
  restore(): void {
    if (!existsSync(this.file)) return;
    try {
      const saved: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      const events = Array.isArray(saved) ? saved.filter(isQueuedEvent) : [];
      this.pending.push(...events);
      if (events.length > 0) this.log(`Restored ${events.length} queued ${events.length === 1 ? 'retry' : 'retries'} from the last run.`);
      this.saved = JSON.stringify(events);
    } catch (error) {
      this.log(`Ignored ${path.basename(this.file)}: ${errorMessage(error)}`);
    }
  }

  /** Writes the queue when it changed; through a temporary file, so a crash never leaves half a file. */
  save(): void {
    const snapshot = JSON.stringify(this.pending);
    if (snapshot === this.saved) return;
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, snapshot);
    renameSync(temporary, this.file);
    this.saved = snapshot;
  }
}
