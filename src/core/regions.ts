// Coralogix regions ("Coralogix domain" in Coralogix's docs). The legacy endpoints (api.<domain>/api/v1/logs
// and /logs/rest/singles) were switched off on 30 Sep 2026, so logs go only to the /logs/v1/singles ingress.
// Version tags go to api.<domain> ("cURL Version Tags"); ng-api-http.<domain> is marked for deprecation.
// GOV1 is Coralogix's FedRAMP environment: "only logs, metrics, and traces are in scope", so it takes
// logs at its ingress (the documented ingress.<domain> pattern) but offers no version tags.
// docs/research/coralogix-regions-and-tags.md has the sources.
export const REGIONS = {
  EU1: { label: 'EU1 (Ireland)', domain: 'eu1.coralogix.com', versionTags: true },
  EU2: { label: 'EU2 (Stockholm)', domain: 'eu2.coralogix.com', versionTags: true },
  US1: { label: 'US1 (Ohio)', domain: 'us1.coralogix.com', versionTags: true },
  US2: { label: 'US2 (Oregon)', domain: 'us2.coralogix.com', versionTags: true },
  US3: { label: 'US3', domain: 'us3.coralogix.com', versionTags: true },
  AP1: { label: 'AP1 (Mumbai)', domain: 'ap1.coralogix.com', versionTags: true },
  AP2: { label: 'AP2 (Singapore)', domain: 'ap2.coralogix.com', versionTags: true },
  AP3: { label: 'AP3 (Jakarta)', domain: 'ap3.coralogix.com', versionTags: true },
  GOV1: { label: 'GOV1 (AWS GovCloud, FedRAMP)', domain: 'gov1.coralogixgov.us', versionTags: false },
} as const satisfies Record<string, { label: string; domain: string; versionTags: boolean }>;

export type RegionId = keyof typeof REGIONS;

export const REGION_IDS = Object.keys(REGIONS) as [RegionId, ...RegionId[]];

export function ingressHost(region: RegionId): string {
  return `ingress.${REGIONS[region].domain}`;
}

export function singlesUrl(region: RegionId): string {
  return `https://${ingressHost(region)}/logs/v1/singles`;
}

export function offersVersionTags(region: RegionId): boolean {
  return REGIONS[region].versionTags;
}

export function tagsHost(region: RegionId): string {
  return `api.${REGIONS[region].domain}`;
}

export function tagsUrl(region: RegionId): string {
  return `https://${tagsHost(region)}/api/v1/external/tags`;
}

/** Every host the app sends to: manifest.yml declares each as egress. */
export function egressHosts(): string[] {
  return REGION_IDS.flatMap((region) => (offersVersionTags(region) ? [ingressHost(region), tagsHost(region)] : [ingressHost(region)]));
}
