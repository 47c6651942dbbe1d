import { buildAudit, type AuditRecord } from './audit';
import { catalogEntry, type AuditArea, type CoverageLevel, type EventFamily } from './catalog';
import { applyEnrichment, type Enrichment } from './enrichment';
import { eventIdOf } from './event-id';
import type { BitbucketEvent } from './events';
import type { DepthCut, JsonObject } from './json';
import { omitFreeText } from './privacy';
import { TruncationTracker, webhookBody } from './webhook';

// Turns a Forge event into the log record Coralogix stores: the webhook-shaped body (core/webhook.ts),
// enriched and with free text omitted as the admin chose, the event's metadata and its audit fields.

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
}

export interface RecordOptions {
  enrichment?: Enrichment;
  omitFreeText?: boolean;
  /** What boundDepth cut from the payload before decoding. */
  depthCut?: DepthCut;
}

export function buildRecord(event: BitbucketEvent, payload: unknown = event, options: RecordOptions = {}): LogRecord {
  const entry = catalogEntry(event.eventType);
  const truncation = new TruncationTracker();
  let bitbucket = webhookBody(event, truncation);
  if (options.enrichment) bitbucket = applyEnrichment(bitbucket, options.enrichment);
  if (options.omitFreeText) bitbucket = omitFreeText(bitbucket);
  const metadata: EventMetadata = {
    id: eventIdOf(payload),
    type: event.eventType,
    family: entry.family,
    action: entry.action,
    area: entry.area,
    level: entry.level,
    timestamp: event.timestamp ?? null,
    self_generated: event.selfGenerated === true,
    ...(truncation.paths.length > 0 ? { truncated_fields: truncation.paths } : {}),
    ...(options.enrichment ? { enrichment: { unresolved: options.enrichment.unresolved } } : {}),
    ...(options.omitFreeText ? { free_text_omitted: true as const } : {}),
    ...(options.depthCut ? { nested_too_deep: options.depthCut } : {}),
  };
  return { source_system: 'bitbucket', event: metadata, bitbucket, audit: buildAudit(event, bitbucket) };
}
