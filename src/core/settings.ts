import { REGION_IDS } from './regions';
import { COVERAGE_SETTINGS, EVENT_TYPES, type AuditArea, type CoverageSetting } from './catalog';
import { templateProblems } from './template';
import { oneOf, v } from './validation';

// Coralogix documents no length rule for application/subsystem names; 100 keeps them readable in
// the Coralogix filters and far below anything an ingestion path could refuse.
export const NAME_MAX_LENGTH = 100;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const coralogixName = (what: string) =>
  v
    .string()
    .map((value) => value.trim())
    .assert((value) => value.length >= 1, `${what} is required`)
    .assert((value) => value.length <= NAME_MAX_LENGTH, `${what} must be at most ${NAME_MAX_LENGTH} characters`)
    .assert((value) => !CONTROL_CHARACTERS.test(value), `${what} must not contain control characters`);

const coverageSetting = oneOf(COVERAGE_SETTINGS, 'Coverage');

export const FULL_COVERAGE: Record<AuditArea, CoverageSetting> = { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' };

/**
 * What the app stores as ordinary KVS values. The API key lives apart, in secret storage. Fields
 * added after the first release have defaults, so settings saved by an older version still read.
 */
export const storedSettingsSchema = v.object({
  region: oneOf(REGION_IDS, 'Region'),
  applicationName: coralogixName('Application name'),
  /** May hold placeholders such as {repository.slug} (core/template.ts). */
  subsystemName: coralogixName('Subsystem name').chain((value) => {
    const problems = templateProblems(value);
    return problems.length === 0 ? v.ok(value) : v.err(problems.join(' '));
  }),
  forwardingEnabled: v.boolean(),
  forwardedEvents: v
    .array(oneOf(EVENT_TYPES, 'Event'))
    .assert((events) => new Set(events).size === events.length, 'Each event may be listed once'),
  /** Per audit area, OFF or the highest coverage level forwarded. */
  coverage: v
    .object({ REPOSITORY: coverageSetting, PULL_REQUEST: coverageSetting, PIPELINES: coverageSetting })
    .optional(() => ({ ...FULL_COVERAGE })),
  /** Drop commit messages, titles, descriptions and comment changes from what is forwarded. */
  omitFreeText: v.boolean().optional(() => false),
});

export type StoredSettings = v.Infer<typeof storedSettingsSchema>;

// Send-Your-Data keys are opaque; a bound on length and printable ASCII catches pasted garbage
// (whitespace, line breaks, a whole JSON snippet) before it reaches an Authorization header.
const PRINTABLE_WITHOUT_SPACES = /^[\x21-\x7e]+$/;
export const apiKeySchema = v
  .string()
  .map((value) => value.trim())
  .assert((value) => value.length >= 8, 'The API key looks too short')
  .assert((value) => value.length <= 512, 'The API key looks too long')
  .assert((value) => PRINTABLE_WITHOUT_SPACES.test(value), 'The API key may contain only printable characters without spaces');

/** Everything the delivery path needs, resolved from storage. */
export interface DeliverySettings extends StoredSettings {
  apiKey: string;
  revision: number;
}

export function defaultStoredSettings(): StoredSettings {
  return {
    region: 'EU1',
    applicationName: 'bitbucket',
    subsystemName: 'bitbucket-cloud',
    forwardingEnabled: true,
    forwardedEvents: [...EVENT_TYPES],
    coverage: { ...FULL_COVERAGE },
    omitFreeText: false,
  };
}
