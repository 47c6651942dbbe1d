import { Severity } from './catalog';
import { appNoticeEntry, type CoralogixEntry } from './coralogix-entry';
import type { DeliveryOutcome } from './outcome';
import { ingressHost, REGIONS, type RegionId } from './regions';

export const TEST_EVENT_CLASS_NAME = 'bitbucket-coralogix:test';

export interface TestTarget {
  region: RegionId;
  applicationName: string;
  subsystemName: string;
}

/** A small, real entry: it travels the same transport as events. No personal data is in it. */
export function buildTestEntry(target: TestTarget, now: number, testId: string): CoralogixEntry {
  const notice = { severity: Severity.Info, category: 'test', className: TEST_EVENT_CLASS_NAME, type: 'test', action: 'Connection test' };
  return appNoticeEntry(
    target,
    now,
    notice,
    { test: { message: 'Test event from the Bitbucket to Coralogix app settings page' } },
    { id: testId, family: 'test' },
  );
}

export type TestOutcomeKind = 'delivered' | 'key-or-region' | 'refused' | 'too-large' | 'unreachable' | 'timeout';

/** What a test send's outcome means, in words a workspace admin can act on. */
export function describeTestOutcome(
  outcome: DeliveryOutcome,
  target: TestTarget,
): { outcome: TestOutcomeKind; message: string; status?: number } {
  const region = REGIONS[target.region].label;
  const host = ingressHost(target.region);
  const status = outcome.status === undefined ? {} : { status: outcome.status };
  if (outcome.kind === 'delivered') {
    return {
      outcome: 'delivered',
      ...status,
      message: `Coralogix accepted the test event. Look for it in Coralogix under application "${target.applicationName}" and subsystem "${target.subsystemName}".`,
    };
  }
  if (outcome.transport === 'timeout') {
    return {
      outcome: 'timeout',
      message: `Coralogix at ${host} did not answer in time. It may be slow right now: try again in a few minutes.`,
    };
  }
  if (outcome.transport === 'network') {
    return {
      outcome: 'unreachable',
      message: `Coralogix at ${host} could not be reached. Check the region, or try again in a few minutes.`,
    };
  }
  if (outcome.transport === 'egress-refused') {
    return { outcome: 'unreachable', message: `This app is not allowed to connect to ${host}. Update the app to its latest version.` };
  }
  if (outcome.kind === 'rejected' && outcome.cause === 'configuration') {
    return {
      outcome: 'key-or-region',
      ...status,
      message: `Coralogix refused the API key (HTTP ${outcome.status ?? '?'}). Check that it is a Send-Your-Data key and that it belongs to the ${region} region: a key works only in its own region.`,
    };
  }
  if (outcome.kind === 'rejected' && outcome.cause === 'too-large') {
    return { outcome: 'too-large', ...status, message: 'Coralogix refused the test event as too large (HTTP 413).' };
  }
  if (outcome.kind === 'retryable') {
    return {
      outcome: 'unreachable',
      ...status,
      message: `Coralogix is temporarily unavailable (HTTP ${outcome.status ?? '?'}). Events are kept and retried; try the test again in a few minutes.`,
    };
  }
  return {
    outcome: 'refused',
    ...status,
    message: `Coralogix refused the test event (HTTP ${outcome.status ?? '?'}). Check the application and subsystem names.`,
  };
}
