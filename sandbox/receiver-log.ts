import { randomBytes } from 'node:crypto';
import type { AcceptedEntry, AcceptedTag, CoralogixReceiver } from './coralogix-receiver';

const RECEIVER_LOG_LIMIT = 500;

type Item =
  | { kind: 'entry'; entry: AcceptedEntry }
  | { kind: 'tag'; tag: AcceptedTag }
  /** `endpoint` is 'tags' for a refused version tag request, absent for logs. */
  | { kind: 'refused'; status: number; error: string; endpoint?: 'tags' };

export type ReceiverItem = Item & { seq: number; receivedAt: number };

/**
 * What the embedded receiver took (log entries and version tags) and refused, numbered so a page can
 * ask for what came after the last item it has. Refusals are read from the receiver's request logs,
 * accepted entries and tags as they arrive.
 */
export class ReceiverLog {
  private readonly items: ReceiverItem[] = [];
  private readonly listeners = new Set<(item: ReceiverItem) => void>();
  /** Tells an EventSource reconnecting after a restart that the numbering started again. */
  readonly session = randomBytes(4).toString('hex');
  private seq = 0;
  private requestCursor = 0;
  private tagRequestCursor = 0;

  constructor(private readonly receiver: CoralogixReceiver) {
    receiver.onEntries((entries) => {
      for (const entry of entries) this.add({ kind: 'entry', entry });
    });
    receiver.onTags((tag) => this.add({ kind: 'tag', tag }));
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
    const tagRequests = this.receiver.tagRequests;
    for (; this.tagRequestCursor < tagRequests.length; this.tagRequestCursor += 1) {
      const request = tagRequests[this.tagRequestCursor];
      if (request && (request.status < 200 || request.status > 299))
        this.add({ kind: 'refused', status: request.status, error: request.error ?? `HTTP ${request.status}`, endpoint: 'tags' });
    }
  }

  after(seq: number): ReceiverItem[] {
    return this.items.filter((item) => item.seq > seq);
  }

  subscribe(listener: (item: ReceiverItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(item: Item): void {
    this.seq += 1;
    const stored: ReceiverItem = { ...item, seq: this.seq, receivedAt: Date.now() };
    this.items.push(stored);
    if (this.items.length > RECEIVER_LOG_LIMIT) this.items.shift();
    for (const listener of this.listeners) listener(stored);
  }
}
