import { catalogEntry, coverageAdmits, isEventType } from './catalog';
import type { StoredSettings } from './settings';

export type ForwardingChoice = Readonly<{ [K in 'forwardedEvents' | 'coverage']: Readonly<StoredSettings[K]> }>;

/**
 * An event goes out when the admin selected its type and its area's coverage admits its level.
 * Types the app does not know are always forwarded: an admin cannot have opted out of them.
 */
export function isForwarded(eventType: string, choice: ForwardingChoice): boolean {
  if (!isEventType(eventType)) return true;
  const { area, level } = catalogEntry(eventType);
  return coverageAdmits(choice.coverage[area], level) && choice.forwardedEvents.includes(eventType);
}
