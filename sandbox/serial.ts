/**
 * Runs one piece of work at a time. The emulated platform keeps a single invocation context (the
 * calling account, the deadline), as one Forge invocation has; overlapping invocations would
 * overwrite each other's, so the sandbox's drains, heartbeats, fired events and the page's resolver
 * calls take turns.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
