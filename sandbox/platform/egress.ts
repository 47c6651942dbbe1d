import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// On Forge, an external fetch to a host missing from permissions.external.fetch.backend never leaves
// the runtime: it fails with REQUEST_EGRESS_ALLOWLIST_ERR. Locally, allowed hosts may be routed to a
// loopback server (the Coralogix contract receiver) in place of the real internet, which is unreachable here.

export interface EgressPolicy {
  readonly allowedAddresses: readonly string[];
}

interface Matcher {
  protocol: string | undefined;
  host: string;
  wildcard: boolean;
}

// Parsed once per policy: the guard runs on every request, and a benchmark of the app should not
// measure the emulation's own parsing.
const matchers = new WeakMap<EgressPolicy, Matcher[]>();

function matchersOf(policy: EgressPolicy): Matcher[] {
  let parsed = matchers.get(policy);
  if (!parsed) {
    parsed = policy.allowedAddresses.map((address) => {
      const hasScheme = /^[a-z]+:\/\//i.test(address);
      const wildcard = address.includes('*.');
      const url = new URL((hasScheme ? address : `https://${address}`).replace('*.', 'wildcard-placeholder.'));
      return {
        protocol: hasScheme ? url.protocol : undefined,
        host: wildcard ? url.hostname.replace(/^wildcard-placeholder\./, '.') : url.hostname,
        wildcard,
      };
    });
    matchers.set(policy, parsed);
  }
  return parsed;
}

interface ManifestEgress {
  permissions?: { external?: { fetch?: { backend?: Array<string | { address?: string; remote?: string }> } } };
}

export function readEgressPolicy(manifestPath: string): EgressPolicy {
  const manifest = parse(readFileSync(manifestPath, 'utf8')) as ManifestEgress;
  const backend = manifest.permissions?.external?.fetch?.backend ?? [];
  const allowedAddresses = backend
    .map((entry) => (typeof entry === 'string' ? entry : (entry.address ?? '')))
    .filter((address) => address !== '');
  return { allowedAddresses };
}

/** Forge's matching: `*.x.com` covers subdomains of x.com, not x.com itself; scheme and port are optional. */
export function isAllowedUrl(policy: EgressPolicy, url: URL): boolean {
  return matchersOf(policy).some((matcher) => {
    if (matcher.protocol !== undefined && matcher.protocol !== url.protocol) return false;
    return matcher.wildcard
      ? url.hostname.endsWith(matcher.host) && url.hostname.length > matcher.host.length
      : url.hostname === matcher.host;
  });
}

export class EgressNotAllowedError extends Error {
  override readonly name = 'REQUEST_EGRESS_ALLOWLIST_ERR';
  readonly status = 403;
  constructor(url: string) {
    super(`URL not included in the external fetch backend permissions: ${url}. Visit go.atlassian.com/forge-egress for more information.`);
  }
}

export interface EgressCounters {
  requests: number;
  refused: number;
  /** Hosts the app addressed, most recent last (bounded). */
  hosts: string[];
}

const HOST_LOG_LIMIT = 1000;

/**
 * A routed request reaches its stand-in at a loopback address, so its Host header names the stand-in;
 * this header carries the host the app addressed (as a forwarding proxy would), so the stand-in can
 * tell api.<domain> from ingress.<domain> and one region from another.
 */
export const FORWARDED_HOST_HEADER = 'x-forwarded-host';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function withForwardedHost(input: Parameters<typeof fetch>[0], init: RequestInit | undefined, host: string): RequestInit {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set(FORWARDED_HOST_HEADER, host);
  return { ...init, headers };
}

/**
 * The runtime's global fetch with Forge's allow-list in front. `routes` maps an allowed host to the
 * local base URL that stands in for it; a host missing from the allow-list fails whether routed or not.
 */
export function createEgressFetch(
  policy: () => EgressPolicy | undefined,
  routes: Map<string, string>,
  counters: EgressCounters,
  realFetch: typeof fetch,
): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const current = policy();
    if (current === undefined) return realFetch(input, init);
    if (!isAllowedUrl(current, url)) {
      counters.refused += 1;
      throw new EgressNotAllowedError(url.toString());
    }
    counters.requests += 1;
    counters.hosts.push(url.hostname);
    if (counters.hosts.length > HOST_LOG_LIMIT) counters.hosts.shift();
    const route = routes.get(url.hostname);
    if (route === undefined) return realFetch(input, init);
    const target = new URL(url.pathname + url.search, route);
    // A real endpoint (the sandbox's --coralogix-url) gets the request exactly as the app made it.
    if (!LOOPBACK_HOSTS.has(target.hostname)) return realFetch(target, init);
    return realFetch(target, withForwardedHost(input, init, url.host));
  };
}
