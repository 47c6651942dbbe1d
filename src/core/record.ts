import { buildAudit, type AuditRecord } from './audit';
import { EVENT_CATALOG, isEventType, type AuditArea, type CoverageLevel, type EventFamily } from './catalog';
import type { Enrichment } from './enrichment';
import { eventIdOf } from './event-id';
import type { BitbucketEvent, CommonEvent } from './events';
import type { DepthCut, Json, JsonObject } from './json';
import { omitFreeText, scrubEmails } from './privacy';
import { commonBody, webhookBody } from './webhook';

// Turns a Forge event into the log record Coralogix stores: the webhook-shaped body (core/webhook.ts),
// enriched and with free text omitted as the admin chose, the event's metadata and its audit fields.
// Every record has that shape, whether the payload could be decoded or not, so a parsing rule built
// on `bitbucket.*` sees every event.

export interface EventMetadata {
  /** Same event, same id: lets Coralogix users de-duplicate at-least-once deliveries. */
  id: string;
  type: string;
  family: EventFamily | 'unknown';
  action: string;
  timestamp: string | null;
  self_generated: boolean;
  area: AuditArea | 'unknown';
  level: CoverageLevel | 'unknown';
  /** Present when the event model could not read the payload: `bitbucket` holds what there is. */
  unrecognised?: true;
  /** What could not be mapped into `bitbucket`; the payload is then kept whole in `forge_payload`. */
  problems?: string[];
  /** Paths inside `bitbucket` whose text Bitbucket cut short before delivery. */
  truncated_fields?: string[];
  /** Present when the app looked the event's objects up in Bitbucket; lists what it could not resolve. */
  enrichment?: { unresolved: string[] };
  /** Present when the admin chose not to forward free text. */
  free_text_omitted?: true;
  /** Present when part of the payload nested too deep to forward and was replaced by a marker. */
  nested_too_deep?: DepthCut;
}

export interface LogRecord {
  source_system: 'bitbucket';
  event: EventMetadata;
  bitbucket: JsonObject;
  audit: AuditRecord;
  /** The payload as Forge delivered it, beside a body that could not map all of it. */
  forge_payload?: Json;
}

export interface RecordOptions {
  enrichment?: Enrichment;
  omitFreeText?: boolean;
  /** What boundDepth cut from the payload before decoding. */
  depthCut?: DepthCut;
  /** What decoding could not read. */
  problems?: readonly string[];
}

const UNRECOGNISED = { family: 'unknown', action: 'Unrecognised Bitbucket event', area: 'unknown', level: 'unknown' } as const;

function assemble(
  eventType: string,
  event: BitbucketEvent | undefined,
  common: CommonEvent,
  body: { bitbucket: JsonObject; truncated: string[] },
  payload: unknown,
  options: RecordOptions,
): LogRecord {
  const known = isEventType(eventType) ? EVENT_CATALOG[eventType] : UNRECOGNISED;
  const bitbucket = options.omitFreeText ? omitFreeText(body.bitbucket) : body.bitbucket;
  const problems = options.problems ?? [];
  const metadata: EventMetadata = {
    id: eventIdOf(payload),
    type: eventType,
    family: known.family,
    action: known.action,
    area: known.area,
    level: known.level,
    timestamp: common.timestamp ?? null,
    self_generated: common.selfGenerated === true,
    ...(event ? {} : { unrecognised: true as const }),
    ...(problems.length > 0 ? { problems: [...problems] } : {}),
    ...(body.truncated.length > 0 ? { truncated_fields: body.truncated } : {}),
    ...(options.enrichment ? { enrichment: { unresolved: options.enrichment.unresolved } } : {}),
    ...(options.omitFreeText ? { free_text_omitted: true as const } : {}),
    ...(options.depthCut ? { nested_too_deep: options.depthCut } : {}),
  };
  const record: LogRecord = { source_system: 'bitbucket', event: metadata, bitbucket, audit: buildAudit(eventType, event, bitbucket) };
  if (event && problems.length === 0) return record;
  // What Forge delivers is parsed JSON, so the payload is JSON whatever its shape.
  const json = (payload ?? null) as Json;
  return { ...record, forge_payload: options.omitFreeText ? omitFreeText(json) : json };
}

export function buildRecord(event: BitbucketEvent, payload: unknown = event, options: RecordOptions = {}): LogRecord {
  return assemble(event.eventType, event, event, webhookBody(event, options.enrichment), payload, options);
}

/** The record of a payload the event model could not read (its reasons in `options.problems`). */
export function buildUnrecognisedRecord(
  eventType: string | undefined,
  common: CommonEvent,
  payload: unknown,
  options: RecordOptions = {},
): LogRecord {
  // The type is a payload value: it goes to the app's logs too, and may be an address.
  const type = scrubEmails(eventType ?? 'unknown');
  return assemble(type, undefined, common, { bitbucket: commonBody(common, payload, options.enrichment), truncated: [] }, payload, options);
}
