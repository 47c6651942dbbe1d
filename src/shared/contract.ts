import { apiKeySchema, storedSettingsSchema, type ScopeProject, type ScopeRepository, type StoredSettings } from '../core/settings';
import type { RegionId } from '../core/regions';
import { BACKLOG_ITEM_ID, type BacklogPhase, type BacklogSummary, type DroppedEvents } from '../core/backlog';
import type { DeliveryCounts, Headline, HealthCounts, HeartbeatRecord, HeartbeatStatus } from '../core/health';
import type { TestOutcomeKind } from '../core/test-event';
import { TAG_ITEM_ID, type WaitingTagSummary } from '../core/version-tag';
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
  sendTestTag: 'tags/send-test',
  listTags: 'tags/list',
  retryAllTags: 'tags/retry-all',
  discardTag: 'tags/discard',
  listProjects: 'scope/projects',
  listRepositories: 'scope/repositories',
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
  /** The tags API key (CICD integration permissions): write-only like the first. */
  tagsApiKey: apiKeySchema.optional(),
  /** Forget the stored tags key (version tags must then be off). */
  removeTagsApiKey: v.boolean().optional(),
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

/** A test tag may use the form's unsaved values too. */
export const sendTestTagInput = v.object({
  settings: storedSettingsSchema.optional(),
  tagsApiKey: apiKeySchema.optional(),
});

export const tagItemInput = v.object({ id: v.string().assert((id) => TAG_ITEM_ID.test(id), 'Not a waiting version tag') });

/** The settings page's pickers page through the workspace's projects and repositories, filtered by name. */
export const listScopeInput = v.object({
  query: v
    .string()
    .assert((query) => query.length <= 100, 'The search is too long')
    .optional(),
  page: v
    .number()
    .assert((page) => Number.isInteger(page) && page >= 1 && page <= 1000, 'Expected a page number from 1 to 1000')
    .optional(),
});

export const ResolverInputs = {
  [ResolverKeys.getSettings]: empty,
  [ResolverKeys.saveSettings]: saveSettingsInput,
  [ResolverKeys.sendTestEvent]: sendTestEventInput,
  [ResolverKeys.getStatus]: empty,
  [ResolverKeys.listBacklog]: listBacklogInput,
  [ResolverKeys.retryBacklogItem]: backlogItemInput,
  [ResolverKeys.retryAllBacklog]: empty,
  [ResolverKeys.discardBacklogItem]: backlogItemInput,
  [ResolverKeys.sendTestTag]: sendTestTagInput,
  [ResolverKeys.listTags]: empty,
  [ResolverKeys.retryAllTags]: empty,
  [ResolverKeys.discardTag]: tagItemInput,
  [ResolverKeys.listProjects]: listScopeInput,
  [ResolverKeys.listRepositories]: listScopeInput,
} as const;

export interface SettingsState {
  settings: StoredSettings;
  /** False until the admin first saves. */
  configured: boolean;
  /** The stored key's last four characters; the key itself never leaves the server. */
  apiKeyHint: string | null;
  /** The tags key's last four characters, when one is stored. */
  tagsApiKeyHint: string | null;
  regions: Array<{ id: RegionId; label: string; domain: string; versionTags: boolean }>;
}

export interface TestEventResult {
  outcome: TestOutcomeKind | 'not-configured';
  /** What happened, in words an admin understands. */
  message: string;
  status?: number;
  /** It tested the saved key and region, so Delivery health counts it; a test of unsaved values is not. */
  countedInHealth?: boolean;
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
  /** When the next drain run is due (after a save: now), or null when none is scheduled. */
  scheduledDrainAt: number | null;
}

export interface StatusState {
  configured: boolean;
  forwardingEnabled: boolean;
  lastSuccessAt: HealthCounts['lastSuccessAt'];
  lastFailure: HealthCounts['lastFailure'];
  last24h: DeliveryCounts;
  backlog: BacklogStatus;
  lastHeartbeat: HeartbeatRecord | null;
  /** The heartbeat judged against the current settings (lastHeartbeat may predate them). */
  heartbeat: HeartbeatStatus;
  /** The one state to read first. */
  headline: Headline;
  /** When the settings were last saved: failures before it were about other settings. */
  settingsSavedAt: number | null;
  versionTags: VersionTagsStatus;
}

/** A version tag that could not be created yet: what it is, why it waits, and when it is tried again. */
export type TagRow = WaitingTagSummary & { id: string };

export interface VersionTagsStatus {
  enabled: boolean;
  waiting: number;
  /** Why the oldest waiting tag waits, in words. */
  reason: string | null;
  nextAttemptAt: number | null;
  lastCreated: { name: string; at: number } | null;
  /** Tags dropped beyond the outbox's capacity, if that ever happened. */
  dropped: number;
}

export interface TestTagResult {
  outcome: TestOutcomeKind | 'not-configured';
  message: string;
  status?: number;
  /** The name the test tag was created with. */
  name?: string;
}

export interface ScopePage<T> {
  items: T[];
  /** The next page's number, when there is one. */
  nextPage?: number;
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
  [ResolverKeys.sendTestTag]: TestTagResult;
  [ResolverKeys.listTags]: { items: TagRow[] };
  [ResolverKeys.retryAllTags]: { waiting: number };
  [ResolverKeys.discardTag]: { discarded: true };
  [ResolverKeys.listProjects]: ScopePage<Required<ScopeProject>>;
  [ResolverKeys.listRepositories]: ScopePage<Required<ScopeRepository>>;
}

export type ResolverPayload<K extends ResolverKey> = v.Infer<(typeof ResolverInputs)[K]>;

/** Field errors from a schema failure, with dotted paths (e.g. `settings.applicationName`). */
export function fieldErrorsOf(issues: readonly ValidationIssue[]): FieldError[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'input', message: issue.message }));
}
