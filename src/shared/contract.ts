import { apiKeySchema, storedSettingsSchema, type StoredSettings } from '../core/settings';
import type { RegionId } from '../core/regions';
import { BACKLOG_ITEM_ID, type BacklogPhase, type BacklogSummary, type DroppedEvents } from '../core/backlog';
import type { DeliveryCounts, HealthCounts, HeartbeatRecord } from '../core/health';
import type { TestOutcomeKind } from '../core/test-event';
import { v, type ValidationIssue } from '../core/validation';

// The one contract between the settings page (@forge/bridge invoke) and the resolvers: keys,
// payload schemas (validated again on the server), result types and one envelope. Both sides
// import this file.

export const ResolverKeys = {
  getSettings: 'settings/get',
  saveSettings: 'settings/save',
  sendTestEvent: 'delivery/send-test-event',
  getStatus: 'status/get',
  listBacklog: 'backlog/list',
  retryBacklogItem: 'backlog/retry',
  retryAllBacklog: 'backlog/retry-all',
  discardBacklogItem: 'backlog/discard',
} as const;

export type ResolverKey = (typeof ResolverKeys)[keyof typeof ResolverKeys];

export type ErrorCode = 'forbidden' | 'invalid-input' | 'not-configured' | 'not-found' | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string; fieldErrors?: FieldError[] } };

const empty = v.object({});

/** The settings form: what the admin edits. The key is write-only: omitted, the stored key is kept. */
export const saveSettingsInput = v.object({
  settings: storedSettingsSchema,
  apiKey: apiKeySchema.optional(),
});
export type SaveSettingsInput = v.Infer<typeof saveSettingsInput>;

/** A test may use the form's unsaved values, so the admin can check them before saving. */
export const sendTestEventInput = v.object({
  settings: storedSettingsSchema.optional(),
  apiKey: apiKeySchema.optional(),
});

export const listBacklogInput = v.object({
  limit: v
    .number()
    .assert((limit) => Number.isInteger(limit) && limit >= 1 && limit <= 100, 'Expected a whole number from 1 to 100')
    .optional(),
  cursor: v
    .string()
    .assert((cursor) => cursor.length <= 1000, 'The cursor is too long')
    .optional(),
});
export const backlogItemInput = v.object({ id: v.string().assert((id) => BACKLOG_ITEM_ID.test(id), 'Not an undelivered event') });

export const ResolverInputs = {
  [ResolverKeys.getSettings]: empty,
  [ResolverKeys.saveSettings]: saveSettingsInput,
  [ResolverKeys.sendTestEvent]: sendTestEventInput,
  [ResolverKeys.getStatus]: empty,
  [ResolverKeys.listBacklog]: listBacklogInput,
  [ResolverKeys.retryBacklogItem]: backlogItemInput,
  [ResolverKeys.retryAllBacklog]: empty,
  [ResolverKeys.discardBacklogItem]: backlogItemInput,
} as const;

export interface SettingsState {
  settings: StoredSettings;
  /** False until the admin first saves. */
  configured: boolean;
  /** The stored key's last four characters; the key itself never leaves the server. */
  apiKeyHint: string | null;
  regions: Array<{ id: RegionId; label: string; domain: string }>;
}

export interface TestEventResult {
  outcome: TestOutcomeKind | 'not-configured';
  /** What happened, in words an admin understands. */
  message: string;
  status?: number;
}

/** One undelivered event as the page lists it: its summary, never its entry. */
export type BacklogRow = BacklogSummary & { id: string };

/** The backlog as an admin thinks of it: how many wait, since when, why, and whether it drains. */
export interface BacklogStatus {
  count: number;
  oldestAt: number | null;
  phase: BacklogPhase;
  reason: string | null;
  nextAttemptAt: number | null;
  /** Delivered since the backlog last started to drain. */
  drainedInRun: number;
  /** Events dropped beyond the backlog's capacity, if that ever happened. */
  dropped: DroppedEvents | null;
}

export interface StatusState {
  configured: boolean;
  forwardingEnabled: boolean;
  lastSuccessAt: HealthCounts['lastSuccessAt'];
  lastFailure: HealthCounts['lastFailure'];
  last24h: DeliveryCounts;
  backlog: BacklogStatus;
  lastHeartbeat: HeartbeatRecord | null;
}

export type RetryBacklogItemResult = { outcome: 'delivered' | 'waiting' | 'held'; message: string };

export interface ResolverResults {
  [ResolverKeys.getSettings]: SettingsState;
  [ResolverKeys.saveSettings]: SettingsState;
  [ResolverKeys.sendTestEvent]: TestEventResult;
  [ResolverKeys.getStatus]: StatusState;
  [ResolverKeys.listBacklog]: { items: BacklogRow[]; nextCursor?: string };
  [ResolverKeys.retryBacklogItem]: RetryBacklogItemResult;
  [ResolverKeys.retryAllBacklog]: { waiting: number };
  [ResolverKeys.discardBacklogItem]: { discarded: true };
}

export type ResolverPayload<K extends ResolverKey> = v.Infer<(typeof ResolverInputs)[K]>;

/** Field errors from a schema failure, with dotted paths (e.g. `settings.applicationName`). */
export function fieldErrorsOf(issues: readonly ValidationIssue[]): FieldError[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'input', message: issue.message }));
}
