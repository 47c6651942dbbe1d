/**
 * The local KVS's keys in the order Forge pages a query (plain string order), kept as they change
 * so a query costs a binary search and its page, not a sort of every key. Removed keys are dropped
 * lazily: a week-long backlog drains from the front, and splicing each out would cost the whole array.
 */
export class SortedKeys {
  private keys: string[] = [];
  private removed = 0;

  constructor(private readonly present: (key: string) => boolean) {}

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.keys[middle] as string) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  add(key: string): void {
    const index = this.lowerBound(key);
    if (this.keys[index] === key) return;
    // Keys written in time order land at the end, where inserting costs nothing.
    if (index === this.keys.length) this.keys.push(key);
    else this.keys.splice(index, 0, key);
  }

  /** Called after the key left the store. */
  remove(): void {
    this.removed += 1;
    if (this.removed > 1024 && this.removed * 2 > this.keys.length) {
      this.keys = this.keys.filter(this.present);
      this.removed = 0;
    }
  }

  reset(keys: Iterable<string>): void {
    this.keys = [...keys].sort();
    this.removed = 0;
  }

  /** Keys present, from the first at or after `from`, while `accept` holds, at most `limit`. */
  *from(from: string, within: (key: string) => boolean): Generator<string> {
    for (let index = this.lowerBound(from); index < this.keys.length; index += 1) {
      const key = this.keys[index] as string;
      if (!within(key)) return;
      if (this.present(key)) yield key;
    }
  }

  all(): string[] {
    return this.keys.filter(this.present);
  }
}
