import { NeedsAuthenticationError } from '@forge/api';
import Resolver from '@forge/resolver';
import { randomUUID } from 'node:crypto';
import { headlineOf, heartbeatStatus } from '../core/health';
import { REGIONS, REGION_IDS } from '../core/regions';
import { defaultStoredSettings } from '../core/settings';
import { buildTestEntry, describeTestOutcome } from '../core/test-event';
import { validate } from '../core/validation';
import {
  fieldErrorsOf,
  ResolverInputs,
  ResolverKeys,
  type Envelope,
  type ResolverKey,
  type ResolverPayload,
  type ResolverResults,
  type SettingsState,
} from '../shared/contract';
import { ForbiddenError, requireWorkspaceAdmin, type Caller } from './authorization';
import { backlogCount, listBacklog, oldestSummary, scheduledDrainAt } from './backlog';
import { readDrainState, readDroppedEvents } from './drain';
import { requestDrain } from './drain-schedule';
import { countTestEvent, readHealth } from './health';
import { discardBacklogItem, replayAll, replayBacklogItem } from './replay';
import { invalidateSettingsCache } from './settings-cache';
import { InvalidSettingsError, readApiKey, readDeliverySettings, readSettings, writeSettings } from './settings-store';
import { sendEntries } from './transport';
import { errorName } from './log-safe';
import { tagAndScopeHandlers, TagNotFoundError, versionTagsStatus } from './tags-resolvers';
import { requestTagsRetry } from './tags';
import { ListingFailed } from './workspace-listing';

class NotFoundError extends Error {}

function isConsentRequired(error: unknown): boolean {
  return error instanceof NeedsAuthenticationError;
}
class NotConfiguredError extends Error {}

type Input<K extends ResolverKey> = ResolverPayload<K>;
type Handler<K extends ResolverKey> = (input: Input<K>, caller: Caller) => Promise<ResolverResults[K]>;

async function settingsState(): Promise<SettingsState> {
  const view = await readSettings();
  return {
    settings: view?.settings ?? defaultStoredSettings(),
    configured: view !== undefined,
    apiKeyHint: view?.apiKeyHint ?? null,
    tagsApiKeyHint: view?.tagsApiKeyHint ?? null,
    regions: REGION_IDS.map((id) => ({ id, ...REGIONS[id] })),
  };
}

async function requireDeliverySettings() {
  const settings = await readDeliverySettings();
  if (!settings) throw new NotConfiguredError('Save the Coralogix settings first.');
  return settings;
}

const handlers: { [K in ResolverKey]: Handler<K> } = {
  [ResolverKeys.getSettings]: () => settingsState(),

  [ResolverKeys.saveSettings]: async (input) => {
    const now = Date.now();
    const before = await readSettings();
    await writeSettings(input.settings, input.apiKey, now, {
      tagsApiKey: input.tagsApiKey,
      ...(input.removeTagsApiKey ? { removeTagsApiKey: true } : {}),
    });
    invalidateSettingsCache();
    // New settings may be what the backlog waited for: it drains now rather than at its next probe.
    await requestDrain(now, { force: true }).catch((error: unknown) =>
      console.warn(`Could not start the backlog's drain after a save (${errorName(error)})`),
    );
    // Tags that waited for a key or for tags to be switched on are tried again at once.
    if (input.tagsApiKey !== undefined || (input.settings.versionTags.enabled && !before?.settings.versionTags.enabled)) {
      await requestTagsRetry(now, { force: true }).catch((error: unknown) =>
        console.warn(`Could not retry the waiting version tags after a save (${errorName(error)})`),
      );
    }
    return settingsState();
  },

  [ResolverKeys.sendTestEvent]: async (input) => {
    const stored = await readSettings();
    const settings = input.settings ?? stored?.settings;
    const apiKey = input.apiKey ?? (await readApiKey());
    if (!settings || !apiKey) return { outcome: 'not-configured', message: 'Enter a Send-Your-Data API key and a region first.' };
    const now = Date.now();
    const outcome = await sendEntries({ region: settings.region, apiKey }, [buildTestEntry(settings, now, randomUUID().replace(/-/g, ''))]);
    const counted = await countTestEvent(outcome, input.apiKey === undefined && settings.region === stored?.settings.region, now);
    return { ...describeTestOutcome(outcome, settings), countedInHealth: counted };
  },

  [ResolverKeys.getStatus]: async () => {
    const now = Date.now();
    const [view, health, count, oldest, drain, dropped, drainDueAt] = await Promise.all([
      readSettings(),
      readHealth(now),
      backlogCount(),
      oldestSummary(),
      readDrainState(),
      readDroppedEvents(),
      scheduledDrainAt(),
    ]);
    const { lastSuccessAt, lastFailure, lastHeartbeat, ...last24h } = health;
    const waiting = Math.max(count, oldest ? 1 : 0);
    // The settings store's revision is the time of the save (writeSettings).
    const savedAt = view?.revision ?? null;
    const current = { configured: view !== undefined, forwardingEnabled: view?.settings.forwardingEnabled ?? false, revision: savedAt };
    const versionTags = await versionTagsStatus(view);
    const headline = headlineOf({
      current,
      savedAt,
      lastSuccessAt,
      lastFailure,
      backlog: {
        count: waiting,
        phase: drain.phase,
        phaseSince: drain.since,
        oldestAt: oldest?.backloggedAt ?? null,
        oldestNeedsSettings: oldest?.cause === 'configuration',
      },
      tags: { waiting: versionTags.waiting, reason: versionTags.reason },
    });
    return {
      headline,
      heartbeat: heartbeatStatus(lastHeartbeat, current, now),
      settingsSavedAt: savedAt,
      configured: view !== undefined,
      forwardingEnabled: view?.settings.forwardingEnabled ?? false,
      lastSuccessAt,
      lastFailure,
      last24h,
      backlog: {
        // The tallies may lag a listing by an event or two; what is listed is there.
        count: waiting,
        oldestAt: oldest?.backloggedAt ?? null,
        phase: drain.phase,
        reason: drain.reason,
        nextAttemptAt: drain.nextAttemptAt,
        drainedInRun: drain.drainedInRun,
        dropped,
        scheduledDrainAt: drainDueAt,
      },
      lastHeartbeat,
      versionTags,
    };
  },

  [ResolverKeys.listBacklog]: async (input) => {
    const page = await listBacklog(input.limit ?? 20, input.cursor);
    return {
      items: page.items.map(({ id, summary }) => ({ id, ...summary })),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  },

  [ResolverKeys.retryBacklogItem]: async (input) => {
    const result = await replayBacklogItem(input.id, await requireDeliverySettings());
    if (result.status === 'not-found') throw new NotFoundError(GONE);
    if (result.status === 'delivered') return { outcome: 'delivered', message: 'Delivered to Coralogix.' };
    if (result.held) return { outcome: 'held', message: `Coralogix refused it again: ${result.reason}` };
    return { outcome: 'waiting', message: `Not delivered yet (${result.reason}); it stays in the backlog and is sent automatically.` };
  },

  [ResolverKeys.retryAllBacklog]: async () => {
    await requireDeliverySettings();
    await replayAll();
    return { waiting: await backlogCount() };
  },

  [ResolverKeys.discardBacklogItem]: async (input) => {
    if (!(await discardBacklogItem(input.id))) throw new NotFoundError(GONE);
    return { discarded: true };
  },

  ...tagAndScopeHandlers,
};

const GONE = 'That event is no longer waiting: it was delivered or discarded.';

function failure<T>(
  code: Extract<Envelope<T>, { ok: false }>['error']['code'],
  message: string,
  fieldErrors?: ReturnType<typeof fieldErrorsOf>,
): Envelope<T> {
  return { ok: false, error: { code, message, ...(fieldErrors ? { fieldErrors } : {}) } };
}

/** Admin check, then input validation with the page's own schema, then the handler; errors become envelopes. */
export async function runResolver<K extends ResolverKey>(
  key: K,
  payload: unknown,
  context: Record<string, unknown>,
): Promise<Envelope<ResolverResults[K]>> {
  try {
    const caller = await requireWorkspaceAdmin(context);
    const parsed = validate(ResolverInputs[key], payload ?? {});
    if (!parsed.ok) return failure('invalid-input', 'Some fields need attention.', fieldErrorsOf(parsed.issues));
    const handler = handlers[key] as Handler<K>;
    // The key's own schema checked it; TypeScript cannot follow a generic key through the schema map.
    return { ok: true, data: await handler(parsed.value as Input<K>, caller) };
  } catch (error) {
    // The user has not yet let the app act as them: Forge answers this error by showing its consent
    // prompt in the product, which it can only do if the error leaves the resolver.
    if (isConsentRequired(error)) throw error;
    if (error instanceof ForbiddenError) return failure('forbidden', error.message);
    if (error instanceof InvalidSettingsError) return failure('invalid-input', 'Some fields need attention.', [...error.problems]);
    if (error instanceof NotFoundError || error instanceof TagNotFoundError) return failure('not-found', error.message);
    if (error instanceof ListingFailed) return failure('internal', `${error.message}. Try again in a moment.`);
    if (error instanceof NotConfiguredError) return failure('not-configured', error.message);
    console.error(`Resolver ${key} failed: ${errorName(error)}`);
    return failure('internal', 'Something went wrong on our side. Try again; if it keeps failing, contact support.');
  }
}

const resolver = new Resolver();
for (const key of Object.values(ResolverKeys)) {
  resolver.define(key, ({ payload, context }) => runResolver(key, payload, context as Record<string, unknown>));
}

export const settingsResolver = resolver.getDefinitions();
