import { isEventType, Severity, type SeverityLevel } from './catalog';
import { decodeEvent } from './events';
import { buildRecord, eventIdOf, severityOf, type LogRecord } from './record';
import { fitEntry } from './size';

/** One element of the /logs/v1/singles request body. */
export interface CoralogixEntry {
  applicationName: string;
  subsystemName: string;
  text: string;
  timestamp?: number;
  hiResTimestamp?: string;
  severity?: SeverityLevel;
  category?: string;
  className?: string;
  methodName?: string;
  computerName?: string;
  threadId?: string;
}

export interface Destination {
  applicationName: string;
  subsystemName: string;
}

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

function timeFields(iso: string | null | undefined, receivedAtMs: number): Pick<CoralogixEntry, 'timestamp' | 'hiResTimestamp'> {
  const parsed = parseEventTime(iso);
  return parsed ? { timestamp: parsed.ms, hiResTimestamp: parsed.nanos } : { timestamp: receivedAtMs };
}

export function entryFromRecord(record: LogRecord, severity: SeverityLevel, destination: Destination, receivedAtMs: number): CoralogixEntry {
  return {
    applicationName: destination.applicationName,
    subsystemName: destination.subsystemName,
    ...timeFields(record.event.timestamp, receivedAtMs),
    severity,
    category: record.event.family,
    className: record.event.type,
    methodName: record.event.action,
    text: JSON.stringify(record),
  };
}

export type Transformed =
  | { readonly kind: 'event'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'unrecognised'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string; readonly problems: readonly string[] };

/**
 * The whole pure path from what Forge delivered to what Coralogix receives. A payload the app does
 * not understand is still forwarded, marked and with the reasons, rather than dropped.
 */
export function transformEvent(payload: unknown, destination: Destination, receivedAtMs: number): Transformed {
  const decoded = decodeEvent(payload);
  if (decoded.ok) {
    const record = buildRecord(decoded.event, payload);
    return {
      kind: 'event',
      entry: fitEntry(entryFromRecord(record, severityOf(decoded.event), destination, receivedAtMs)),
      eventId: record.event.id,
      eventType: decoded.event.eventType,
    };
  }
  const eventId = eventIdOf(payload);
  const eventType = decoded.eventType ?? 'unknown';
  const timestamp =
    typeof payload === 'object' && payload !== null && typeof (payload as { timestamp?: unknown }).timestamp === 'string'
      ? (payload as { timestamp: string }).timestamp
      : null;
  const text = {
    source_system: 'bitbucket',
    event: {
      id: eventId,
      type: eventType,
      family: 'unknown',
      action: 'Unrecognised Bitbucket event',
      timestamp,
      unrecognised: true,
      problems: decoded.problems,
    },
    forge_payload: payload ?? null,
  };
  return {
    kind: 'unrecognised',
    eventId,
    eventType,
    problems: decoded.problems,
    entry: fitEntry({
      applicationName: destination.applicationName,
      subsystemName: destination.subsystemName,
      ...timeFields(timestamp, receivedAtMs),
      severity: Severity.Warning,
      category: 'unknown',
      className: eventType,
      methodName: 'Unrecognised Bitbucket event',
      text: JSON.stringify(text),
    }),
  };
}

export function isForwarded(eventType: string, forwardedEvents: readonly string[]): boolean {
  // Types the app does not know are always forwarded: an admin cannot have opted out of them.
  return !isEventType(eventType) || forwardedEvents.includes(eventType);
}
