import { egressHosts, offersVersionTags, REGION_IDS, singlesUrl, tagsUrl } from '../../src/core/regions';

describe('Coralogix regions', () => {
  it('covers every documented region', () => {
    expect([...REGION_IDS].sort()).toEqual(['AP1', 'AP2', 'AP3', 'EU1', 'EU2', 'GOV1', 'US1', 'US2', 'US3']);
  });

  it('sends GOV1 logs to its ingress and offers version tags everywhere else', () => {
    expect(singlesUrl('GOV1')).toBe('https://ingress.gov1.coralogixgov.us/logs/v1/singles');
    expect(REGION_IDS.filter((region) => !offersVersionTags(region))).toEqual(['GOV1']);
    expect(tagsUrl('EU2')).toBe('https://api.eu2.coralogix.com/api/v1/external/tags');
    expect(egressHosts()).not.toContain('api.gov1.coralogixgov.us');
    expect(egressHosts()).toHaveLength(REGION_IDS.length * 2 - 1);
  });

  it.each([
    ['EU1', 'https://ingress.eu1.coralogix.com/logs/v1/singles'],
    ['US2', 'https://ingress.us2.coralogix.com/logs/v1/singles'],
    ['AP3', 'https://ingress.ap3.coralogix.com/logs/v1/singles'],
  ] as const)('%s sends to %s', (region, url) => {
    expect(singlesUrl(region)).toBe(url);
  });
});
