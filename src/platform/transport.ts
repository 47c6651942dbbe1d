import { fetch, getAppContext } from '@forge/api';
import type { CoralogixEntry } from '../core/coralogix-entry';
import { classifyResponse, classifyTransportFailure, type DeliveryOutcome } from '../core/outcome';
import { singlesUrl, tagsUrl, type RegionId } from '../core/regions';
import type { VersionTagBody } from '../core/version-tag';

// Triggers and resolvers get 25 s per invocation; a send must give up well before the invocation
// ends so the failure can still be put on the retry queue or stored as a dead letter.
export const SEND_TIMEOUT_MS = 10_000;
const MIN_SEND_TIMEOUT_MS = 1_000;
const BOOKKEEPING_RESERVE_MS = 5_000;

export function sendTimeoutMs(): number {
  let remaining: number | undefined;
  try {
    remaining = getAppContext().invocationRemainingTimeInMillis();
  } catch {
    remaining = undefined;
  }
  if (remaining === undefined || !Number.isFinite(remaining)) return SEND_TIMEOUT_MS;
  return Math.max(MIN_SEND_TIMEOUT_MS, Math.min(SEND_TIMEOUT_MS, remaining - BOOKKEEPING_RESERVE_MS));
}

// The name Forge gives a fetch refused by the manifest's egress allow-list.
const EGRESS_REFUSED = 'REQUEST_EGRESS_ALLOWLIST_ERR';

export interface SendTarget {
  region: RegionId;
  apiKey: string;
}

export function sendEntries(target: SendTarget, entries: readonly CoralogixEntry[], timeoutMs = sendTimeoutMs()): Promise<DeliveryOutcome> {
  return postJson(singlesUrl(target.region), target.apiKey, entries, timeoutMs);
}

/** One version tag to the region's tags API, with the tags key (a Send-Your-Data key cannot create tags). */
export function sendVersionTag(
  region: RegionId,
  tagsApiKey: string,
  tag: VersionTagBody,
  timeoutMs = sendTimeoutMs(),
): Promise<DeliveryOutcome> {
  return postJson(tagsUrl(region), tagsApiKey, tag, timeoutMs);
}

async function postJson(url: string, apiKey: string, body: unknown, timeoutMs: number): Promise<DeliveryOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    // Drain the body so the connection can be reused; its content is not needed.
    await response.text().catch(() => '');
    return classifyResponse(response.status, response.headers.get('retry-after'), Date.now());
  } catch (error) {
    if (controller.signal.aborted) return classifyTransportFailure('timeout', `no answer within ${timeoutMs} ms`);
    if (error instanceof Error && error.name === EGRESS_REFUSED)
      return classifyTransportFailure('egress-refused', 'host not in the egress allow-list');
    return classifyTransportFailure('network', describeNetworkError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** A short cause without URLs or headers (which could carry the key). */
function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    return error.name;
  }
  return 'unknown error';
}
