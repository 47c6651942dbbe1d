import { readApiKey, readSettings, type SettingsView } from '../src/platform/settings-store';
import { StorageKeys } from '../src/platform/storage-keys';
import { errorMessage, SandboxError } from './errors';
import type { ForgePlatform } from './platform/forge-platform';

export type Destination = { kind: 'receiver' } | { kind: 'external'; url: string };
export type Account = 'admin' | 'member';

/** What the sandbox's pages show about it: enough to explain an outcome, never the saved key. */
export interface SandboxState {
  configured: boolean;
  settings?: { region: string; applicationName: string; subsystemName: string; forwardingEnabled: boolean; apiKeyHint: string | null };
  /** Embedded receiver only: whether the saved key is the one the receiver accepts (never the key itself). */
  keyAccepted?: boolean;
  /** Another endpoint only: the saved key is still the sandbox key, which that endpoint will refuse. */
  savedKeyIsSandboxKey?: boolean;
  destination: Destination;
  /** The embedded receiver's key, meant to be pasted; absent when entries go elsewhere. */
  sandboxKey?: string;
  /** The embedded receiver's tags API key (the CICD integration key of version tags), likewise. */
  sandboxTagsKey?: string;
  account: Account;
  queue: { pending: number; nextDueAt: number | null };
  /** Events waiting in the app's backlog (what the settings page lists). */
  backlog: number;
}

/** The saved settings as the app reads them. Run it as one of the sandbox's turns (see serial.ts). */
export async function readSettingsView(platform: ForgePlatform): Promise<{ view: SettingsView | undefined; hasKey: boolean }> {
  const result = await platform.invoke(async () => ({ view: await readSettings(), hasKey: (await readApiKey()) !== undefined }));
  if (!result.ok || !result.value) throw new SandboxError(`Could not read the settings: ${errorMessage(result.error)}`);
  return result.value;
}

export async function readSandboxState(
  platform: ForgePlatform,
  sandbox: { sandboxKey: string; sandboxTagsKey: string; destination: Destination; account: Account },
): Promise<SandboxState> {
  const { view, hasKey } = await readSettingsView(platform);
  // Compared here so that only the answer, never the saved key, leaves the sandbox.
  const savedIsSandboxKey = platform.kvs.peekSecret(StorageKeys.apiKeySecret) === sandbox.sandboxKey;
  const nextDueAt = platform.queue.nextDueAt();
  return {
    configured: Boolean(view && hasKey),
    ...(view
      ? {
          settings: {
            region: view.settings.region,
            applicationName: view.settings.applicationName,
            subsystemName: view.settings.subsystemName,
            forwardingEnabled: view.settings.forwardingEnabled,
            apiKeyHint: view.apiKeyHint,
          },
        }
      : {}),
    ...(sandbox.destination.kind === 'receiver'
      ? { sandboxKey: sandbox.sandboxKey, sandboxTagsKey: sandbox.sandboxTagsKey, ...(hasKey ? { keyAccepted: savedIsSandboxKey } : {}) }
      : hasKey
        ? { savedKeyIsSandboxKey: savedIsSandboxKey }
        : {}),
    destination: sandbox.destination,
    account: sandbox.account,
    queue: { pending: platform.queue.pending.length, nextDueAt: nextDueAt ?? null },
    backlog: platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix)).length,
  };
}
