import * as z from 'zod/mini';
import { REGION_IDS } from './regions';
import { COVERAGE_SETTINGS, EVENT_TYPES, type AuditArea, type CoverageSetting } from './catalog';
import { templateProblems } from './template';

// zod/mini rather than zod: the same schemas, tree-shakable, which keeps the cold-started backend
// bundle small.

// Coralogix documents no length rule for application/subsystem names; 100 keeps them readable in
// the Coralogix filters and far below anything an ingestion path could refuse.
export const NAME_MAX_LENGTH = 100;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const coralogixName = (what: string) =>
  z.string().check(
    z.trim(),
    z.minLength(1, `${what} is required`),
    z.maxLength(NAME_MAX_LENGTH, `${what} must be at most ${NAME_MAX_LENGTH} characters`),
    z.refine((value) => !CONTROL_CHARACTERS.test(value), `${what} must not contain control characters`),
  );

const coverageSetting = z.enum(COVERAGE_SETTINGS);

export const FULL_COVERAGE: Record<AuditArea, CoverageSetting> = { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' };

/**
 * What the app stores as ordinary KVS values. The API key lives apart, in secret storage. Fields
 * added after the first release have defaults, so settings saved by an older version still read.
 */
export const storedSettingsSchema = z.object({
  region: z.enum(REGION_IDS),
  applicationName: coralogixName('Application name'),
  /** May hold placeholders such as {repository.slug} (core/template.ts). */
  subsystemName: coralogixName('Subsystem name').check(
    z.superRefine((value, context) => {
      for (const message of templateProblems(value)) context.addIssue({ code: 'custom', message, input: value });
    }),
  ),
  forwardingEnabled: z.boolean(),
  forwardedEvents: z
    .array(z.enum(EVENT_TYPES))
    .check(z.refine((events) => new Set(events).size === events.length, 'Each event may be listed once')),
  /** Per audit area, OFF or the highest coverage level forwarded. */
  coverage: z._default(z.object({ REPOSITORY: coverageSetting, PULL_REQUEST: coverageSetting, PIPELINES: coverageSetting }), () => ({ ...FULL_COVERAGE })),
  /** Drop commit messages, titles, descriptions and comment changes from what is forwarded. */
  omitFreeText: z._default(z.boolean(), false),
});


export type StoredSettings = z.infer<typeof storedSettingsSchema>;

// Send-Your-Data keys are opaque; a bound on length and printable ASCII catches pasted garbage
// (whitespace, line breaks, a whole JSON snippet) before it reaches an Authorization header.
export const apiKeySchema = z.string().check(
  z.trim(),
  z.minLength(8, 'The API key looks too short'),
  z.maxLength(512, 'The API key looks too long'),
  z.regex(/^[\x21-\x7e]+$/, 'The API key may contain only printable characters without spaces'),
);

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
