import { NeedsAuthenticationError } from '@forge/api';
import Resolver from '@forge/resolver';
import { randomUUID } from 'node:crypto';
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
import { countDeadLetters, countRecentEvictions, listDeadLetters } from './dead-letters';
import { readHealth } from './health';
import { discardDeadLetter, replayAllDeadLetters, replayDeadLetter } from './replay';
import { invalidateSettingsCache } from './settings-cache';
import { InvalidSettingsError, readApiKey, readDeliverySettings, readSettings, writeSettings } from './settings-store';
import { sendEntries } from './transport';
import { errorName } from './log-safe';

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
    regions: REGION_IDS.map((id) => ({ id, label: REGIONS[id].label, domain: REGIONS[id].domain })),
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
    await writeSettings(input.settings, input.apiKey);
    invalidateSettingsCache();
    return settingsState();
  },

  [ResolverKeys.sendTestEvent]: async (input) => {
    const stored = await readSettings();
    const settings = input.settings ?? stored?.settings;
    const apiKey = input.apiKey ?? (await readApiKey());
    if (!settings || !apiKey) return { outcome: 'not-configured', message: 'Enter a Send-Your-Data API key and a region first.' };
    const now = Date.now();
    const outcome = await sendEntries({ region: settings.region, apiKey }, [buildTestEntry(settings, now, randomUUID().replace(/-/g, ''))]);
    return describeTestOutcome(outcome, settings);
  },

  [ResolverKeys.getStatus]: async () => {
    const [view, health, deadLetterCount, evicted] = await Promise.all([readSettings(), readHealth(), countDeadLetters(), countRecentEvictions()]);
    const { lastSuccessAt, lastFailure, lastHeartbeat, ...bucketCounts } = health;
    const counts = { ...bucketCounts, evicted };
    return {
      configured: view !== undefined,
      forwardingEnabled: view?.settings.forwardingEnabled ?? false,
      lastSuccessAt,
      lastFailure,
      last24h: counts,
      deadLetterCount,
      lastHeartbeat,
    };
  },

  [ResolverKeys.listDeadLetters]: (input) => listDeadLetters(input.limit ?? 20, input.cursor),

  [ResolverKeys.retryDeadLetter]: async (input) => {
    const result = await replayDeadLetter(input.key, await requireDeliverySettings());
    if (result.status === 'not-found') throw new NotFoundError('That dead letter is gone: it was already retried, discarded or expired.');
    const attempt = result.attempt;
    if (attempt.result === 'delivered') return { outcome: 'delivered', message: 'Delivered to Coralogix.' };
    if (attempt.result === 'retry-scheduled') return { outcome: 'retry-scheduled', message: `Not delivered yet (${attempt.reason}); it will be retried automatically.` };
    return { outcome: 'dead-lettered', message: `Coralogix refused it again: ${attempt.reason}` };
  },

  [ResolverKeys.retryAllDeadLetters]: async () => {
    await requireDeliverySettings();
    return { queued: await replayAllDeadLetters() };
  },

  [ResolverKeys.discardDeadLetter]: async (input) => {
    if (!(await discardDeadLetter(input.key))) throw new NotFoundError('That dead letter is gone: it was already retried, discarded or expired.');
    return { discarded: true };
  },
};

function failure<T>(code: Extract<Envelope<T>, { ok: false }>['error']['code'], message: string, fieldErrors?: ReturnType<typeof fieldErrorsOf>): Envelope<T> {
  return { ok: false, error: { code, message, ...(fieldErrors ? { fieldErrors } : {}) } };
}

/** Admin check, then input validation with the page's own schema, then the handler; errors become envelopes. */
export async function runResolver<K extends ResolverKey>(key: K, payload: unknown, context: Record<string, unknown>): Promise<Envelope<ResolverResults[K]>> {
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
    if (error instanceof InvalidSettingsError) return failure('invalid-input', 'Some fields need attention.', error.problems.map((p) => ({ field: p.field === 'apiKey' ? 'apiKey' : `settings.${p.field}`, message: p.message })));
    if (error instanceof NotFoundError) return failure('not-found', error.message);
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
