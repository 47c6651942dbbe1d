import {
  COVERAGE_LEVELS,
  coverageAdmits,
  EVENT_CATALOG,
  EVENT_TYPES,
  type AuditArea,
  type CoverageLevel,
  type CoverageSetting,
  type EventType,
} from '../../../src/core/catalog';
import type { StoredSettings } from '../../../src/core/settings';

// Coverage (per area, a ceiling) and the ticked events are two views of one choice, kept so they
// cannot contradict each other: a ticked event is always one that is sent. Lowering an area's
// coverage unticks its events above the new level; raising it ticks the events it newly admits;
// ticking an event above its area's coverage raises the coverage to the event's level. So the
// boxes show exactly what is forwarded, and core/forwarding.ts (selected and admitted) agrees.

export type ForwardingChoice = Pick<StoredSettings, 'coverage' | 'forwardedEvents'>;

const rank = (setting: CoverageSetting) => (setting === 'OFF' ? -1 : COVERAGE_LEVELS.indexOf(setting));

/** In catalog order, whatever order they were ticked in, so the stored list reads the same each time. */
const inCatalogOrder = (types: ReadonlySet<EventType>): EventType[] => EVENT_TYPES.filter((type) => types.has(type));

export function isSent(type: EventType, choice: ForwardingChoice): boolean {
  const { area, level } = EVENT_CATALOG[type];
  return coverageAdmits(choice.coverage[area], level) && choice.forwardedEvents.includes(type);
}

/** The choice with only the events that are sent ticked: what stored settings mean, shown as they mean it. */
export function normalizedChoice(choice: ForwardingChoice): ForwardingChoice {
  return { coverage: choice.coverage, forwardedEvents: choice.forwardedEvents.filter((type) => isSent(type, choice)) };
}

export function withCoverage(choice: ForwardingChoice, area: AuditArea, setting: CoverageSetting): ForwardingChoice {
  const before = choice.coverage[area];
  const coverage = { ...choice.coverage, [area]: setting };
  const events = new Set(choice.forwardedEvents);
  for (const type of EVENT_TYPES) {
    const entry = EVENT_CATALOG[type];
    if (entry.area !== area) continue;
    const admittedNow = coverageAdmits(setting, entry.level);
    if (!admittedNow) events.delete(type);
    else if (!coverageAdmits(before, entry.level)) events.add(type);
  }
  return { coverage, forwardedEvents: inCatalogOrder(events) };
}

export function withEvents(choice: ForwardingChoice, types: readonly EventType[], on: boolean): ForwardingChoice {
  // Events stored beyond the old coverage were not sent: raising it must not send them unasked.
  const events = new Set(normalizedChoice(choice).forwardedEvents);
  const coverage = { ...choice.coverage };
  for (const type of types) {
    if (!on) {
      events.delete(type);
      continue;
    }
    events.add(type);
    const { area, level } = EVENT_CATALOG[type];
    if (rank(coverage[area]) < rank(level)) coverage[area] = level satisfies CoverageLevel;
  }
  return { coverage, forwardedEvents: inCatalogOrder(events) };
}

/** Settings with their choice normalized, as the form starts from them. */
export function coverageOf<T extends ForwardingChoice>(settings: T): T {
  return { ...settings, ...normalizedChoice(settings) };
}
