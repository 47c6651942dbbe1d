import { catalogEntry, Severity, type SeverityLevel } from './catalog';
import type { BitbucketEvent } from './events';

/** Raises the catalog's severity where the payload says something went wrong. */
export function severityOf(event: BitbucketEvent): SeverityLevel {
  const base = catalogEntry(event.eventType).severity;
  switch (event.eventType) {
    case 'avi:bitbucket:push:repository':
      return event.push.forced === true || (event.push.closed === true && event.push.mainbranch === true) ? Severity.Warning : base;
    case 'avi:bitbucket:created:build-status':
    case 'avi:bitbucket:updated:build-status':
      return outcomeSeverity(event.buildStatus.state, base);
    case 'avi:bitbucket:completed:deployment':
      return outcomeSeverity(event.deployment.status, base);
    default:
      return base;
  }
}

function outcomeSeverity(state: string | undefined, base: SeverityLevel): SeverityLevel {
  switch (state?.toUpperCase()) {
    case 'FAILED':
    case 'ERROR':
      return Severity.Error;
    case 'STOPPED':
      return Severity.Warning;
    default:
      return base;
  }
}
