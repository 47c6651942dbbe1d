import { Severity, type SeverityLevel } from './catalog';
import type { CoralogixEntry } from './coralogix-entry';
import { decodeCommon, decodeEvent, type DecodeResult } from './events';
import type { Enrichment } from './enrichment';
import { timeFields } from './event-time';
import { boundDepth, NESTED_TOO_DEEP, type DepthCut } from './json';
import { scrubEmails } from './privacy';
import { buildRecord, buildUnrecognisedRecord, type LogRecord } from './record';
import { severityOf } from './severity';
import { entryText } from './size';
import { subsystemNameOf } from './subsystem-name';

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

// No email address leaves in any string, key or name of an entry (README: personal data): the
// names are scrubbed here, the text in entryText. Family, type and action come from the catalog
// (the type was checked against it when decoded), so they cannot hold one.
export function entryFromRecord(
  record: LogRecord,
  severity: SeverityLevel,
  destination: Destination,
  receivedAtMs: number,
): CoralogixEntry {
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
  return scrubEmails(
    `payload: nested deeper than ${cut.max_depth} levels in ${cut.count} place(s), replaced by "${NESTED_TOO_DEEP}" (first: ${cut.paths[0] ?? 'payload'})`,
  );
}

export type Transformed =
  | {
      readonly kind: 'event';
      readonly entry: CoralogixEntry;
      readonly eventId: string;
      readonly eventType: string;
      /** What could not be mapped (listed in the entry too); empty for almost every event. */
      readonly problems: readonly string[];
    }
  | {
      readonly kind: 'unrecognised';
      readonly entry: CoralogixEntry;
      readonly eventId: string;
      readonly eventType: string;
      readonly problems: readonly string[];
    };

/**
 * The whole pure path from what Forge delivered to what Coralogix receives. Every payload becomes
 * a record of one shape (`source_system`, `event`, `bitbucket`, `audit`): what could not be mapped
 * is named in `event.problems` and the payload kept beside it; one nested too deep to walk has what
 * lies too deep replaced by a marker.
 */
export function transformEvent(delivered: unknown, options: TransformOptions): Transformed {
  const { destination, receivedAtMs } = options;
  // Before anything walks it whole: every later step (the event id's hash, records, scrubbing,
  // serializing) may then recurse without a stack to fear. Decoding may come first (the trigger
  // decodes to choose what to forward): it reads only the fields the event model declares.
  const { value: payload, cut } = boundDepth(delivered);
  // The caller's decoding refers to the uncut payload; a cut one is decoded again.
  const decoded = (cut === undefined ? options.decoded : undefined) ?? decodeEvent(payload);
  const recordOptions = {
    ...(options.enrichment ? { enrichment: options.enrichment } : {}),
    omitFreeText: options.omitFreeText === true,
    ...(cut ? { depthCut: cut } : {}),
  };
  if (decoded.ok) {
    const record = buildRecord(decoded.event, payload, { ...recordOptions, problems: decoded.problems });
    return {
      kind: 'event',
      entry: entryFromRecord(record, severityOf(decoded.event), destination, receivedAtMs),
      eventId: record.event.id,
      eventType: decoded.event.eventType,
      problems: decoded.problems,
    };
  }
  const problems = cut ? [...decoded.problems, depthProblem(cut)] : decoded.problems;
  const record = buildUnrecognisedRecord(decoded.eventType, decodeCommon(payload), payload, { ...recordOptions, problems });
  return {
    kind: 'unrecognised',
    eventId: record.event.id,
    eventType: record.event.type,
    problems,
    entry: entryFromRecord(record, Severity.Warning, destination, receivedAtMs),
  };
}
