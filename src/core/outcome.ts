// What happened to one delivery attempt, as data. The transport only observes; these pure functions
// decide. Coralogix documents no status table for /logs/v1/singles, so the classes follow Coralogix's
// own OpenTelemetry exporter (retry 408/429/5xx-gateway, permanent 400/404/405/422, 401/403 = key or region).

export type RejectionCause =
  /** Coralogix refused the key (401/403): a wrong key, or a key of another region. */
  | 'configuration'
  /** Coralogix refused the request body as malformed. */
  | 'malformed'
  /** The request was over Coralogix's size limit. */
  | 'too-large';

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'retryable';
      readonly reason: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly transport?: TransportFailure;
    }
  | {
      readonly kind: 'rejected';
      readonly cause: RejectionCause;
      readonly reason: string;
      readonly status?: number;
      readonly transport?: TransportFailure;
    };

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Parses an HTTP Retry-After value (delta-seconds or an HTTP-date) into milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Anything else must be an HTTP-date ("Sun, 06 Nov 1994 08:49:37 GMT"), which always names a weekday or month.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export function classifyResponse(status: number, retryAfter: string | null | undefined, nowMs: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 401 || status === 403) {
    return {
      kind: 'rejected',
      cause: 'configuration',
      status,
      reason: `Coralogix refused the API key (HTTP ${status}): check the Send-Your-Data key and that it belongs to the selected region`,
    };
  }
  if (status === 413) {
    return { kind: 'rejected', cause: 'too-large', status, reason: 'Coralogix refused the request as too large (HTTP 413)' };
  }
  if (isRetryableStatus(status)) {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, nowMs) : undefined;
    return {
      kind: 'retryable',
      status,
      reason: status === 429 ? 'Coralogix is rate limiting (HTTP 429)' : `Coralogix is temporarily unavailable (HTTP ${status})`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 500) {
    return { kind: 'retryable', status, reason: `Coralogix answered with a server error (HTTP ${status})` };
  }
  return { kind: 'rejected', cause: 'malformed', status, reason: `Coralogix refused the entry (HTTP ${status})` };
}

export type TransportFailure = 'timeout' | 'network' | 'egress-refused';

export function classifyTransportFailure(failure: TransportFailure, detail: string): DeliveryOutcome {
  switch (failure) {
    case 'timeout':
      return { kind: 'retryable', transport: failure, reason: `Coralogix did not answer in time (${detail})` };
    case 'network':
      return { kind: 'retryable', transport: failure, reason: `Coralogix could not be reached (${detail})` };
    case 'egress-refused':
      // The manifest's egress list does not cover the host: no retry can succeed until a new app version.
      return {
        kind: 'rejected',
        cause: 'configuration',
        transport: failure,
        reason: `The Forge platform refused the connection to Coralogix (${detail})`,
      };
  }
}
