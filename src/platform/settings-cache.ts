import type { DeliverySettings } from '../core/settings';
import { readDeliverySettings } from './settings-store';

// A warm Forge instance serves many invocations in a row; re-reading settings from KVS for each event
// of a burst would cost two KVS reads per event. Changes made on the settings page reach delivery
// within this bound.
export const SETTINGS_MAX_STALENESS_MS = 30_000;

interface CacheSlot {
  readonly loadedAt: number;
  readonly settings: DeliverySettings | undefined;
}

let slot: CacheSlot | undefined;
let inFlight: Promise<DeliverySettings | undefined> | undefined;

export async function cachedDeliverySettings(now: number = Date.now()): Promise<DeliverySettings | undefined> {
  if (slot && now - slot.loadedAt < SETTINGS_MAX_STALENESS_MS && now >= slot.loadedAt) return slot.settings;
  // Concurrent invocations in one instance share one read.
  inFlight ??= readDeliverySettings().then(
    (settings) => {
      slot = { loadedAt: now, settings };
      inFlight = undefined;
      return settings;
    },
    (error: unknown) => {
      inFlight = undefined;
      throw error;
    },
  );
  return inFlight;
}

/** Called after a save in this instance, so the admin's own next test uses the new settings. */
export function invalidateSettingsCache(): void {
  slot = undefined;
}
