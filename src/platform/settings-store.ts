import { kvs } from '@forge/kvs';
import { apiKeySchema, storedSettingsSchema, type DeliverySettings, type StoredSettings } from '../core/settings';
import { validate, type ValidationIssue } from '../core/validation';
import { fieldErrorsOf, type FieldError } from '../shared/contract';
import { StorageKeys } from './storage-keys';

export class InvalidSettingsError extends Error {
  /** Fields named as the settings page names them (`settings.region`, `apiKey`). */
  constructor(readonly problems: readonly FieldError[]) {
    super(`Invalid settings: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    this.name = 'InvalidSettingsError';
  }
}

/** The KVS value under StorageKeys.settings, as it is read back. */
export interface SettingsView {
  settings: StoredSettings;
  /** Changes on every save; dead letters remember it to tell whether a later save may have fixed them. */
  revision: number;
  /** The key's last four characters, so the page can show which key is set without reading it. */
  apiKeyHint: string | null;
  /** The same for the tags API key, when one is stored. */
  tagsApiKeyHint?: string | null;
}

/** The tags key as the form sends it: a new key, or the stored one removed; neither keeps it. */
export interface TagsKeyChange {
  tagsApiKey?: unknown;
  removeTagsApiKey?: boolean;
}

function problemsOf(field: string, issues: readonly ValidationIssue[]): FieldError[] {
  return fieldErrorsOf(issues.map((issue) => ({ ...issue, path: [field, ...issue.path] })));
}

/** Settings that fail validation when read back are treated as absent, never used half-valid. */
export async function readSettings(): Promise<SettingsView | undefined> {
  const raw = await kvs.get<SettingsView>(StorageKeys.settings);
  if (raw === undefined || typeof raw !== 'object' || raw === null) return undefined;
  const parsed = validate(storedSettingsSchema, raw.settings, 'strip');
  if (!parsed.ok || typeof raw.revision !== 'number') return undefined;
  return {
    settings: parsed.value,
    revision: raw.revision,
    apiKeyHint: typeof raw.apiKeyHint === 'string' ? raw.apiKeyHint : null,
    tagsApiKeyHint: typeof raw.tagsApiKeyHint === 'string' ? raw.tagsApiKeyHint : null,
  };
}

/** The Send-Your-Data key, for server-side use only: no resolver ever returns it. */
export async function readApiKey(): Promise<string | undefined> {
  const apiKey = await kvs.getSecret<unknown>(StorageKeys.apiKeySecret);
  return typeof apiKey === 'string' ? apiKey : undefined;
}

/** The tags API key, for server-side use only; read only when version tags are on. */
export async function readTagsApiKey(): Promise<string | undefined> {
  const apiKey = await kvs.getSecret<unknown>(StorageKeys.tagsApiKeySecret);
  return typeof apiKey === 'string' ? apiKey : undefined;
}

export async function readDeliverySettings(): Promise<DeliverySettings | undefined> {
  const [view, apiKey] = await Promise.all([readSettings(), readApiKey()]);
  if (!view || typeof apiKey !== 'string') return undefined;
  // The second secret costs a storage read only for installations that tag deployments.
  const tagsApiKey = view.settings.versionTags.enabled ? await readTagsApiKey() : undefined;
  return { ...view.settings, apiKey, ...(tagsApiKey ? { tagsApiKey } : {}), revision: view.revision };
}

/**
 * Validates everything before writing anything, so an invalid form stores nothing. The key is
 * optional when one is already stored: omitted, the stored key is kept.
 */
export async function writeSettings(
  input: unknown,
  apiKeyInput: unknown,
  now: number = Date.now(),
  tagsKey: TagsKeyChange = {},
): Promise<SettingsView> {
  const settings = validate(storedSettingsSchema, input);
  const apiKey = apiKeyInput === undefined ? undefined : validate(apiKeySchema, apiKeyInput);
  const tagsApiKey = tagsKey.tagsApiKey === undefined ? undefined : validate(apiKeySchema, tagsKey.tagsApiKey);
  const previous = await readSettings();
  const problems = [
    ...(settings.ok ? [] : problemsOf('settings', settings.issues)),
    ...(apiKey && !apiKey.ok ? problemsOf('apiKey', apiKey.issues) : []),
    ...(tagsApiKey && !tagsApiKey.ok ? problemsOf('tagsApiKey', tagsApiKey.issues) : []),
  ];
  if (apiKey === undefined && !(await readApiKey())) {
    problems.push({ field: 'apiKey', message: 'An API key is required' });
  }
  const tagsOn = settings.ok && settings.value.versionTags.enabled;
  const keepsTagsKey = tagsApiKey === undefined && !tagsKey.removeTagsApiKey;
  if (tagsOn && tagsKey.removeTagsApiKey && tagsApiKey === undefined) {
    problems.push({ field: 'tagsApiKey', message: 'Switch version tags off before removing their key' });
  } else if (tagsOn && keepsTagsKey && !(await readTagsApiKey())) {
    problems.push({ field: 'tagsApiKey', message: 'Version tags need a Coralogix API key with the CICD integration permissions' });
  }
  if (!settings.ok || problems.length > 0) throw new InvalidSettingsError(problems);
  const newKey = apiKey?.ok ? apiKey.value : undefined;
  const newTagsKey = tagsApiKey?.ok ? tagsApiKey.value : undefined;
  const document: SettingsView = {
    settings: settings.value,
    revision: Math.max(now, (previous?.revision ?? 0) + 1),
    apiKeyHint: newKey ? newKey.slice(-4) : (previous?.apiKeyHint ?? null),
    tagsApiKeyHint: newTagsKey ? newTagsKey.slice(-4) : tagsKey.removeTagsApiKey ? null : (previous?.tagsApiKeyHint ?? null),
  };
  if (newKey) await kvs.setSecret(StorageKeys.apiKeySecret, newKey);
  if (newTagsKey) await kvs.setSecret(StorageKeys.tagsApiKeySecret, newTagsKey);
  else if (tagsKey.removeTagsApiKey) await kvs.deleteSecret(StorageKeys.tagsApiKeySecret);
  await kvs.set(StorageKeys.settings, document);
  return document;
}
