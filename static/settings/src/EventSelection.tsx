import { Checkbox } from '@atlaskit/checkbox';
import { ErrorMessage } from '@atlaskit/form';
import {
  coverageAdmits,
  EVENT_CATALOG,
  EVENT_FAMILIES,
  eventTypesOfFamily,
  type EventFamily,
  type EventType,
} from '../../../src/core/catalog';
import type { StoredSettings } from '../../../src/core/settings';
import { FieldGroup } from './FieldGroup';

const FAMILY_LABELS: Record<EventFamily, string> = {
  repository: 'Repositories',
  'build-status': 'Builds',
  'commit-comment': 'Commit comments',
  pullrequest: 'Pull requests',
  'pullrequest-comment': 'Pull request comments',
  'pullrequest-reviewer': 'Reviews',
  deployment: 'Deployments',
};

const LEVEL_LABELS = { BASE: 'Base', ADVANCED: 'Advanced', FULL: 'Full' } as const;

interface EventSelectionProps {
  forwardedEvents: EventType[];
  coverage: StoredSettings['coverage'];
  error: string | undefined;
  onChange: (forwardedEvents: EventType[]) => void;
}

/** Per family, one checkbox for all its events (indeterminate when some are on) and one per event. */
export function EventSelection({ forwardedEvents, coverage, error, onChange }: EventSelectionProps) {
  const selected = new Set(forwardedEvents);
  const setEvents = (types: EventType[], on: boolean) => {
    const next = new Set(selected);
    for (const type of types) {
      if (on) next.add(type);
      else next.delete(type);
    }
    // In catalog order, whatever order they were ticked in, so the stored list reads the same each time.
    onChange(Object.keys(EVENT_CATALOG).filter((type) => next.has(type as EventType)) as EventType[]);
  };

  return (
    <FieldGroup title="Events to forward">
      <div className="families">
        {EVENT_FAMILIES.map((family) => {
          const types = eventTypesOfFamily(family);
          const on = types.filter((type) => selected.has(type)).length;
          return (
            <div className="family" key={family}>
              <Checkbox
                label={FAMILY_LABELS[family]}
                isChecked={on === types.length}
                isIndeterminate={on > 0 && on < types.length}
                onChange={() => setEvents(types, on < types.length)}
                testId={`family-${family}`}
              />
              <ul>
                {types.map((type) => {
                  const { action, area, level } = EVENT_CATALOG[type];
                  const covered = coverageAdmits(coverage[area], level);
                  return (
                    <li key={type}>
                      <Checkbox
                        label={`${action} · ${LEVEL_LABELS[level]}${covered ? '' : ' (outside coverage)'}`}
                        isChecked={selected.has(type)}
                        isDisabled={!covered}
                        onChange={() => setEvents([type], !selected.has(type))}
                        testId={`event-${type}`}
                      />
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </FieldGroup>
  );
}
