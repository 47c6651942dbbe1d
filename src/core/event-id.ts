import { hash } from 'node:crypto';
import { isPlainObject } from './json';

// Delivery metadata the platform may add on redelivery; excluded so a retried event keeps its id.
const DELIVERY_FIELDS = new Set(['retryContext', 'contextToken']);

/**
 * A redelivered event is the platform's stored message again: the same content with the same nested
 * key order. Top-level keys are sorted (the platform may add delivery fields, excluded here); nested
 * objects keep their order, which keeps this cheap on the per-event path.
 */
export function eventIdOf(payload: unknown): string {
  let identity = payload;
  if (isPlainObject(payload)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(payload).sort()) if (!DELIVERY_FIELDS.has(key)) sorted[key] = payload[key];
    identity = sorted;
  }
  // One-shot hashing: no Hash object per event.
  return hash('sha256', JSON.stringify(identity) ?? 'null', 'hex').slice(0, 32);
}
