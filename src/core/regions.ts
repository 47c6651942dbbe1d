// Coralogix regions and their ingress. The legacy endpoints (api.<domain>/api/v1/logs and
// /logs/rest/singles) were switched off on 30 Sep 2026, so only the /logs/v1/singles ingress is used.
export const REGIONS = {
  EU1: { label: 'EU1 (Ireland)', domain: 'eu1.coralogix.com' },
  EU2: { label: 'EU2 (Stockholm)', domain: 'eu2.coralogix.com' },
  US1: { label: 'US1 (Ohio)', domain: 'us1.coralogix.com' },
  US2: { label: 'US2 (Oregon)', domain: 'us2.coralogix.com' },
  US3: { label: 'US3', domain: 'us3.coralogix.com' },
  AP1: { label: 'AP1 (Mumbai)', domain: 'ap1.coralogix.com' },
  AP2: { label: 'AP2 (Singapore)', domain: 'ap2.coralogix.com' },
  AP3: { label: 'AP3 (Jakarta)', domain: 'ap3.coralogix.com' },
} as const satisfies Record<string, { label: string; domain: string }>;

export type RegionId = keyof typeof REGIONS;

export const REGION_IDS = Object.keys(REGIONS) as [RegionId, ...RegionId[]];

export function ingressHost(region: RegionId): string {
  return `ingress.${REGIONS[region].domain}`;
}

export function singlesUrl(region: RegionId): string {
  return `https://${ingressHost(region)}/logs/v1/singles`;
}
