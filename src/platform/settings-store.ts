import { kvs } from '@forge/kvs';
import { apiKeySchema, storedSettingsSchema, type DeliverySettings, type StoredSettings } from '../core/settings';
import { StorageKeys } from './storage-keys';

export class InvalidSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings: ${problems.join('; ')}`);
  }
}

function problemsOf(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string[] {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));
}

/** Settings that fail validation when read back are treated as absent, never used half-valid. */
export async function readStoredSettings(): Promise<StoredSettings | undefined> {
  const raw = await kvs.get<unknown>(StorageKeys.settings);
  if (raw === undefined) return undefined;
  const parsed = storedSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export async function hasApiKey(): Promise<boolean> {
  return (await kvs.getSecret<unknown>(StorageKeys.apiKeySecret)) !== undefined;
}

export async function readDeliverySettings(): Promise<DeliverySettings | undefined> {
  const [settings, apiKey] = await Promise.all([readStoredSettings(), kvs.getSecret<unknown>(StorageKeys.apiKeySecret)]);
  if (!settings || typeof apiKey !== 'string') return undefined;
  return { ...settings, apiKey };
}

/**
 * Validates everything before writing anything, so an invalid form stores nothing. The key is
 * optional: omitted, the stored key is kept.
 */
export async function writeSettings(input: unknown, apiKeyInput?: unknown): Promise<StoredSettings> {
  const settings = storedSettingsSchema.safeParse(input);
  const apiKey = apiKeyInput === undefined ? undefined : apiKeySchema.safeParse(apiKeyInput);
  const problems = [...(settings.success ? [] : problemsOf(settings.error)), ...(apiKey && !apiKey.success ? problemsOf(apiKey.error) : [])];
  if (!settings.success || (apiKey && !apiKey.success) || problems.length > 0) throw new InvalidSettingsError(problems);
  if (apiKey?.success) await kvs.setSecret(StorageKeys.apiKeySecret, apiKey.data);
  await kvs.set(StorageKeys.settings, settings.data);
  return settings.data;
}
