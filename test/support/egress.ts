import { egressHosts } from '../../src/core/regions';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';

/**
 * Routes every Coralogix host the manifest declares (each region's ingress for logs, its API host for
 * version tags) to one local stand-in, as the sandbox does. Hosts outside the manifest still fail
 * with Forge's egress error.
 */
export function routeCoralogix(platform: ForgePlatform, baseUrl: string): void {
  for (const host of egressHosts()) platform.routeEgress(host, baseUrl);
}
