import { v } from './validation';

/**
 * One element of the /logs/v1/singles request body: what the app sends, and what it keeps in the
 * backlog and on the retry queue, read back through this schema.
 */
export const coralogixEntrySchema = v.object({
  applicationName: v.string(),
  subsystemName: v.string(),
  text: v.string(),
  timestamp: v.number().optional(),
  hiResTimestamp: v.string().optional(),
  severity: v.union(v.literal(1), v.literal(2), v.literal(3), v.literal(4), v.literal(5), v.literal(6)).optional(),
  category: v.string().optional(),
  className: v.string().optional(),
  methodName: v.string().optional(),
  computerName: v.string().optional(),
  threadId: v.string().optional(),
});

export type CoralogixEntry = v.Infer<typeof coralogixEntrySchema>;

/** Where an entry goes in Coralogix. */
export type EntryDestination = Pick<CoralogixEntry, 'applicationName' | 'subsystemName'>;

export interface AppNotice {
  severity: NonNullable<CoralogixEntry['severity']>;
  category: string;
  className: string;
  /** `event.type` of the text: which notice it is. */
  type: string;
  /** `event.action` and the entry's methodName: the notice in words. */
  action: string;
}

/**
 * An entry the app sends about itself (a heartbeat, a connection test, a backlog overflow), shaped
 * as event entries are (`source_system`, `event`), so the same parsing rules read it.
 */
export function appNoticeEntry(
  destination: EntryDestination,
  now: number,
  notice: AppNotice,
  details: Readonly<Record<string, unknown>>,
  eventFields: Readonly<Record<string, unknown>> = {},
): CoralogixEntry {
  return {
    applicationName: destination.applicationName,
    subsystemName: destination.subsystemName,
    timestamp: now,
    severity: notice.severity,
    category: notice.category,
    className: notice.className,
    methodName: notice.action,
    text: JSON.stringify({
      source_system: 'bitbucket',
      event: { ...eventFields, type: notice.type, action: notice.action, timestamp: new Date(now).toISOString() },
      ...details,
    }),
  };
}
