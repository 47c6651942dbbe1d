import { catalogEntry, coverageAdmits, isEventType, Severity, type AuditArea, type CoverageSetting, type SeverityLevel } from './catalog';
import { decodeEvent, type DecodeResult } from './events';
import type { Enrichment } from './enrichment';
import { boundDepth, NESTED_TOO_DEEP, type DepthCut, type Json } from './json';
import { omitFreeText, scrubEmails } from './privacy';
import { buildRecord, eventIdOf, severityOf, type JsonObject, type LogRecord } from './record';
import { entryText } from './size';
import { hasPlaceholders, renderTemplate, type TemplatePlaceholder, type TemplateValues } from './template';

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

/**
 * The subsystem name for a record. Values are scrubbed before rendering, so the renderer's length
 * cut cannot leave half an address; the result is scrubbed again for addresses that a value and the
 * template's own text make together.
 */
function subsystemNameOf(record: LogRecord, template: string): string {
  if (!hasPlaceholders(template)) return scrubEmails(template);
  const values: TemplateValues = {};
  for (const [name, value] of Object.entries(templateValuesOf(record))) if (value !== undefined) values[name as TemplatePlaceholder] = scrubEmails(value);
  return scrubEmails(renderTemplate(template, values, fallbackName(template)));
}

// No email address leaves in any string, key or name of an entry (README: personal data): the
// names are scrubbed here, the text in entryText. Family, type and action come from the catalog
// (the type was checked against it when decoded), so they cannot hold one.
export function entryFromRecord(record: LogRecord, severity: SeverityLevel, destination: Destination, receivedAtMs: number): CoralogixEntry {
  return {
    applicationName: scrubEmails(destination.applicationName),
    subsystemName: subsystemNameOf(record, destination.subsystemName),
    ...timeFields(record.event.timestamp, receivedAtMs),
    severity,
    category: record.event.family,
    className: record.event.type,
    methodName: record.event.action,
    text: entryText(record),
  };
}

function depthProblem(cut: DepthCut): string {
  // The path is made of payload keys, and keys may be addresses.
  return scrubEmails(`payload: nested deeper than ${cut.max_depth} levels in ${cut.count} place(s), replaced by "${NESTED_TOO_DEEP}" (first: ${cut.paths[0] ?? 'payload'})`);
}

export type Transformed =
  | { readonly kind: 'event'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'unrecognised'; readonly entry: CoralogixEntry; readonly eventId: string; readonly eventType: string; readonly problems: readonly string[] };

/**
 * The whole pure path from what Forge delivered to what Coralogix receives. A payload the app does
 * not understand is still forwarded, marked and with the reasons, rather than dropped; so is one
 * nested too deep to walk, with what lies too deep replaced by a marker.
 */
export function transformEvent(delivered: unknown, options: TransformOptions): Transformed {
  const { destination, receivedAtMs } = options;
  // Before anything walks it whole: every later step (the event id's hash, records, scrubbing,
  // serializing) may then recurse without a stack to fear. Decoding may come first (the trigger
  // decodes to choose what to forward): it reads only the fields the event model declares.
  const { value: payload, cut } = boundDepth(delivered);
  // The caller's decoding refers to the uncut payload; a cut one is decoded again.
  const decoded = (cut === undefined ? options.decoded : undefined) ?? decodeEvent(payload);
  if (decoded.ok) {
    const record = buildRecord(decoded.event, payload, {
      ...(options.enrichment ? { enrichment: options.enrichment } : {}),
      omitFreeText: options.omitFreeText === true,
      ...(cut ? { depthCut: cut } : {}),
    });
    return {
      kind: 'event',
      entry: entryFromRecord(record, severityOf(decoded.event), destination, receivedAtMs),
      eventId: record.event.id,
      eventType: decoded.event.eventType,
    };
  }
  const eventId = eventIdOf(payload);
  // The type and the problems (which name payload keys) go to the app's logs too, not only to Coralogix.
  const eventType = scrubEmails(decoded.eventType ?? 'unknown');
  const problems = cut ? [...decoded.problems, depthProblem(cut)] : decoded.problems;
  const timestamp =
    typeof payload === 'object' && payload !== null && typeof (payload as { timestamp?: unknown }).timestamp === 'string'
      ? (payload as { timestamp: string }).timestamp
      : null;
  // What Forge delivers is parsed JSON, so the payload is JSON whatever its shape.
  const json = (payload ?? null) as Json;
  const raw = options.omitFreeText ? omitFreeText(json) : json;
  const text: JsonObject = {
    source_system: 'bitbucket',
    event: {
      id: eventId,
      type: eventType,
      family: 'unknown',
      action: 'Unrecognised Bitbucket event',
      timestamp,
      unrecognised: true,
      problems: [...problems],
      ...(cut ? { nested_too_deep: cut } : {}),
    },
    forge_payload: raw,
  };
  return {
    kind: 'unrecognised',
    eventId,
    eventType,
    problems,
    entry: {
      applicationName: scrubEmails(destination.applicationName),
      subsystemName: scrubEmails(fallbackName(destination.subsystemName)),
      ...timeFields(timestamp, receivedAtMs),
      severity: Severity.Warning,
      category: 'unknown',
      className: eventType,
      methodName: 'Unrecognised Bitbucket event',
      text: entryText(text),
    },
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
