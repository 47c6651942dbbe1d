import type { DeliverySettings } from '../core/settings';
import { perInstallation } from './installation';
import { readDeliverySettings } from './settings-store';

// A warm Forge instance serves many invocations in a row; re-reading settings from KVS for each event
// of a burst would cost two KVS reads per event. Changes made on the settings page reach delivery
// within this bound. The cache holds the installation's API key, so it is strictly per installation.
export const SETTINGS_MAX_STALENESS_MS = 30_000;

interface CacheSlot {
  readonly loadedAt: number;
  readonly settings: DeliverySettings | undefined;
}

interface SettingsCache {
  slot?: CacheSlot;
  inFlight?: Promise<DeliverySettings | undefined>;
}

const cacheOfInstallation = perInstallation<SettingsCache>(() => ({}));

export async function cachedDeliverySettings(now: number = Date.now()): Promise<DeliverySettings | undefined> {
  const cache = cacheOfInstallation();
  const slot = cache.slot;
  if (slot && now - slot.loadedAt < SETTINGS_MAX_STALENESS_MS && now >= slot.loadedAt) return slot.settings;
  // Concurrent invocations of one installation share one read.
  cache.inFlight ??= readDeliverySettings().then(
    (settings) => {
      cache.slot = { loadedAt: now, settings };
      cache.inFlight = undefined;
      return settings;
    },
    (error: unknown) => {
      cache.inFlight = undefined;
      throw error;
    },
  );
  return cache.inFlight;
}

/** Called after a save in this instance, so the admin's own next test uses the new settings. */
export function invalidateSettingsCache(): void {
  cacheOfInstallation().slot = undefined;
}
