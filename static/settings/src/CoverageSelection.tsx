import { Label } from '@atlaskit/form';
import Select from '@atlaskit/select';
import { AUDIT_AREAS, COVERAGE_SETTINGS, type AuditArea, type CoverageSetting } from '../../../src/core/catalog';
import type { StoredSettings } from '../../../src/core/settings';
import { FieldGroup } from './FieldGroup';

export const AREA_LABELS: Record<AuditArea, string> = { REPOSITORY: 'Repositories', PULL_REQUEST: 'Pull requests', PIPELINES: 'Pipelines' };
const COVERAGE_LABELS: Record<CoverageSetting, string> = {
  OFF: 'Off',
  BASE: 'Base: the essential trail',
  ADVANCED: 'Advanced: plus day-to-day activity',
  FULL: 'Full: everything',
};

interface CoverageSelectionProps {
  coverage: StoredSettings['coverage'];
  /** Also ticks or unticks the area's events to match (coverageChoice.ts). */
  onChange: (area: AuditArea, setting: CoverageSetting) => void;
}

export function CoverageSelection({ coverage, onChange }: CoverageSelectionProps) {
  const options = COVERAGE_SETTINGS.map((setting) => ({ label: COVERAGE_LABELS[setting], value: setting }));
  return (
    <FieldGroup title="Coverage">
      <p className="lede">As in Bitbucket Data Center&apos;s audit log: per area, forward nothing, or everything up to a level.</p>
      <div className="row">
        {AUDIT_AREAS.map((area) => (
          <div className="field" key={area}>
            <Label htmlFor={`coverage-${area}`}>{AREA_LABELS[area]}</Label>
            <Select
              inputId={`coverage-${area}`}
              options={options}
              value={options.find((option) => option.value === coverage[area])}
              onChange={(option) => option && onChange(area, option.value)}
              testId={`coverage-${area}`}
            />
          </div>
        ))}
      </div>
    </FieldGroup>
  );
}
