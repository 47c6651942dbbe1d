import { EVENT_CATALOG, EVENT_FAMILIES, EVENT_TYPES, eventTypesOfFamily, isEventType } from '../../src/core/catalog';
import { loadEventFixtures } from '../support/fixtures';

describe('event catalog', () => {
  it('knows exactly the twenty Bitbucket events Forge offers', () => {
    expect(EVENT_TYPES).toHaveLength(20);
    expect(new Set(EVENT_TYPES).size).toBe(20);
    for (const type of EVENT_TYPES) expect(type).toMatch(/^avi:bitbucket:[a-z]+:[a-z-]+$/);
  });

  it('has a fixture for every event it knows', () => {
    const covered = new Set(loadEventFixtures().map((fixture) => fixture.eventType));
    expect([...EVENT_TYPES].filter((type) => !covered.has(type))).toEqual([]);
  });

  it('places every event in exactly one family', () => {
    const grouped = EVENT_FAMILIES.flatMap(eventTypesOfFamily);
    expect(grouped.sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('rates routine activity Info and a deleted repository a Warning', () => {
    expect(EVENT_CATALOG['avi:bitbucket:deleted:repository'].severity).toBe(4);
    expect(EVENT_CATALOG['avi:bitbucket:created:pullrequest'].severity).toBe(3);
    expect(EVENT_CATALOG['avi:bitbucket:push:repository'].severity).toBe(3);
  });

  it('recognises only catalogued event types', () => {
    expect(isEventType('avi:bitbucket:push:repository')).toBe(true);
    expect(isEventType('avi:bitbucket:forked:repository')).toBe(false);
    expect(isEventType('toString')).toBe(false);
    expect(isEventType(42)).toBe(false);
  });
});
