import { catalogEntry, coverageAdmits, isEventType, Severity, type AuditArea, type CoverageSetting, type SeverityLevel } from './catalog';
import { decodeEvent, type DecodeResult } from './events';
import type { Enrichment } from './enrichment';
import { omitFreeText, redactedJson } from './privacy';
import { buildRecord, eventIdOf, severityOf, type JsonObject, type LogRecord } from './record';
import { fitEntry } from './size';
import { hasPlaceholders, renderTemplate, type TemplateValues } from './template';

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
  /** A name, or a template over event fields (core/template.ts). */
  subsystemName: string;
}

export interface TransformOptions {
  destination: Destination;
  receivedAtMs: number;
  omitFreeText?: boolean;
  enrichment?: Enrichment;
  /** The payload already decoded by the caller (to plan enrichment), so it is not decoded twice. */
  decoded?: DecodeResult;
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

function field(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}

function child(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The values a subsystem template may use, read from the (enriched) record. */
export function templateValuesOf(record: LogRecord): TemplateValues {
  const repository = child(record.bitbucket, 'repository');
  const project = child(repository, 'project');
  const workspace = child(repository, 'workspace');
  return {
    'repository.slug': field(repository, 'slug') ?? field(repository, 'full_name')?.split('/')[1],
    'repository.name': field(repository, 'name'),
    'repository.full_name': field(repository, 'full_name'),
    'project.key': field(project, 'key'),
    'project.name': field(project, 'name'),
    'workspace.slug': field(workspace, 'slug') ?? field(repository, 'full_name')?.split('/')[0],
    'event.family': record.event.family,
    'event.area': record.event.area,
  };
}

/** The fallback when a template renders empty: the template's fixed text, or the product name. */
function fallbackName(template: string): string {
  return template.replace(/\{[^{}]*\}/g, '').replace(/[-_.\s]+$/, '').trim() || 'bitbucket';
}

export function entryFromRecord(record: LogRecord, severity: SeverityLevel, destination: Destination, receivedAtMs: number): CoralogixEntry {
  return {
    applicationName: destination.applicationName,
    subsystemName: hasPlaceholders(destination.subsystemName)
      ? renderTemplate(destination.subsystemName, templateValuesOf(record), fallbackName(destination.subsystemName))
      : destination.subsystemName,
    ...timeFields(record.event.timestamp, receivedAtMs),
    severity,
    category: record.event.family,
    className: record.event.type,
    methodName: record.event.action,
    // Every string of every entry is scrubbed of email addresses before it leaves (README: personal data).
    text: redactedJson(record),
  };
}

export type Transformed =
  | { readonly kind: 'event'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'unrecognised'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string; readonly problems: readonly string[] };

/**
 * The whole pure path from what Forge delivered to what Coralogix receives. A payload the app does
 * not understand is still forwarded, marked and with the reasons, rather than dropped.
 */
export function transformEvent(payload: unknown, options: TransformOptions): Transformed {
  const { destination, receivedAtMs } = options;
  const decoded = options.decoded ?? decodeEvent(payload);
  if (decoded.ok) {
    const record = buildRecord(decoded.event, payload, { ...(options.enrichment ? { enrichment: options.enrichment } : {}), omitFreeText: options.omitFreeText === true });
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
  const raw = options.omitFreeText ? omitFreeText(payload ?? null) : (payload ?? null);
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
    forge_payload: raw,
  };
  return {
    kind: 'unrecognised',
    eventId,
    eventType,
    problems: decoded.problems,
    entry: fitEntry({
      applicationName: destination.applicationName,
      subsystemName: fallbackName(destination.subsystemName),
      ...timeFields(timestamp, receivedAtMs),
      severity: Severity.Warning,
      category: 'unknown',
      className: eventType,
      methodName: 'Unrecognised Bitbucket event',
      text: redactedJson(text),
    }),
  };
}

export interface ForwardingChoice {
  forwardedEvents: readonly string[];
  coverage: Readonly<Record<AuditArea, CoverageSetting>>;
}

/**
 * An event goes out when the admin selected its type and its area's coverage admits its level.
 * Types the app does not know are always forwarded: an admin cannot have opted out of them.
 */
export function isForwarded(eventType: string, choice: ForwardingChoice): boolean {
  if (!isEventType(eventType)) return true;
  const { area, level } = catalogEntry(eventType);
  return coverageAdmits(choice.coverage[area], level) && choice.forwardedEvents.includes(eventType);
}
