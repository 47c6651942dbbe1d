import { randomBytes } from 'node:crypto';
import type { AcceptedEntry, CoralogixReceiver } from './coralogix-receiver';

const RECEIVER_LOG_LIMIT = 500;

export type ReceiverItem =
  | { seq: number; receivedAt: number; kind: 'entry'; entry: AcceptedEntry }
  | { seq: number; receivedAt: number; kind: 'refused'; status: number; error: string };

/**
 * What the embedded receiver took and refused, numbered so a page can ask for what came after the
 * last item it has. Refusals are read from the receiver's request log, accepted entries as they
 * arrive.
 */
export class ReceiverLog {
  private readonly items: ReceiverItem[] = [];
  private readonly listeners = new Set<(item: ReceiverItem) => void>();
  /** Tells an EventSource reconnecting after a restart that the numbering started again. */
  readonly session = randomBytes(4).toString('hex');
  private seq = 0;
  private requestCursor = 0;

  constructor(private readonly receiver: CoralogixReceiver) {
    receiver.onEntries((entries) => {
      for (const entry of entries) this.add({ kind: 'entry', entry });
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Picks up refused requests; called after each piece of work that may have sent something. */
  sync(): void {
    const requests = this.receiver.requests;
    for (; this.requestCursor < requests.length; this.requestCursor += 1) {
      const request = requests[this.requestCursor];
      if (request && request.status !== 200)
        this.add({ kind: 'refused', status: request.status, error: request.error ?? `HTTP ${request.status}` });
    }
  }

  after(seq: number): ReceiverItem[] {
    return this.items.filter((item) => item.seq > seq);
  }

  subscribe(listener: (item: ReceiverItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(item: { kind: 'entry'; entry: AcceptedEntry } | { kind: 'refused'; status: number; error: string }): void {
    this.seq += 1;
    const stored = { ...item, seq: this.seq, receivedAt: Date.now() } as ReceiverItem;
    this.items.push(stored);
    if (this.items.length > RECEIVER_LOG_LIMIT) this.items.shift();
    for (const listener of this.listeners) listener(stored);
  }
}
