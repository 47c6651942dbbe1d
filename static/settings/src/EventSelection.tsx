import { Checkbox } from '@atlaskit/checkbox';
import { ErrorMessage } from '@atlaskit/form';
import { EVENT_CATALOG, EVENT_FAMILIES, eventTypesOfFamily, type EventFamily, type EventType } from '../../../src/core/catalog';
import { isSent, type ForwardingChoice } from './coverageChoice';
import { AREA_LABELS } from './CoverageSelection';
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
  choice: ForwardingChoice;
  error: string | undefined;
  /** Ticks (or unticks) events; ticking one above its area's coverage raises the coverage (coverageChoice.ts). */
  onToggle: (types: EventType[], on: boolean) => void;
}

/**
 * Per family, one checkbox for all its events (indeterminate when some are on) and one per event.
 * A box is ticked exactly when the event is sent, coverage included.
 */
export function EventSelection({ choice, error, onToggle }: EventSelectionProps) {
  return (
    <FieldGroup title="Events to forward" id="events">
      <p className="lede">
        Ticked events are sent. Ticking one above its area&apos;s coverage raises the coverage to its level; lowering the coverage unticks
        the events above it.
      </p>
      <div className="families">
        {EVENT_FAMILIES.map((family) => {
          const types = eventTypesOfFamily(family);
          const on = types.filter((type) => isSent(type, choice)).length;
          return (
            <div className="family" key={family}>
              <Checkbox
                label={FAMILY_LABELS[family]}
                isChecked={on === types.length}
                isIndeterminate={on > 0 && on < types.length}
                onChange={() => onToggle(types, on < types.length)}
                testId={`family-${family}`}
              />
              <ul>
                {types.map((type) => {
                  const { action, area, level } = EVENT_CATALOG[type];
                  const sent = isSent(type, choice);
                  const outside = choice.coverage[area] === 'OFF' ? `${AREA_LABELS[area]} off` : null;
                  return (
                    <li key={type}>
                      <Checkbox
                        label={`${action} · ${LEVEL_LABELS[level]}${outside && !sent ? ` (${outside})` : ''}`}
                        isChecked={sent}
                        onChange={() => onToggle([type], !sent)}
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
