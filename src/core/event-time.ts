import type { CoralogixEntry } from './coralogix-entry';

const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Milliseconds (for `timestamp`) and nanoseconds (for `hiResTimestamp`) since the epoch. Bitbucket
 * sends microseconds and, for deployments, nanoseconds; Date.parse would drop them.
 */
export function parseEventTime(iso: string | null | undefined): { ms: number; nanos: string } | undefined {
  if (!iso) return undefined;
  const match = ISO_TIMESTAMP.exec(iso);
  if (!match) return undefined;
  const [, seconds, fraction = '', zone] = match;
  const wholeSecondsMs = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(wholeSecondsMs)) return undefined;
  const nanosOfSecond = BigInt((fraction + '000000000').slice(0, 9));
  const nanos = BigInt(wholeSecondsMs) * 1_000_000n + nanosOfSecond;
  return { ms: Number(nanos / 1000n) / 1000, nanos: nanos.toString() };
}

export function timeFields(iso: string | null | undefined, receivedAtMs: number): Pick<CoralogixEntry, 'timestamp' | 'hiResTimestamp'> {
  const parsed = parseEventTime(iso);
  return parsed ? { timestamp: parsed.ms, hiResTimestamp: parsed.nanos } : { timestamp: receivedAtMs };
}
