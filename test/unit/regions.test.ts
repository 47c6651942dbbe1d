import { REGION_IDS, singlesUrl } from '../../src/core/regions';

describe('Coralogix regions', () => {
  it('covers every documented region', () => {
    expect(REGION_IDS.sort()).toEqual(['AP1', 'AP2', 'AP3', 'EU1', 'EU2', 'US1', 'US2', 'US3']);
  });

  it.each([
    ['EU1', 'https://ingress.eu1.coralogix.com/logs/v1/singles'],
    ['US2', 'https://ingress.us2.coralogix.com/logs/v1/singles'],
    ['AP3', 'https://ingress.ap3.coralogix.com/logs/v1/singles'],
  ] as const)('%s sends to %s', (region, url) => {
    expect(singlesUrl(region)).toBe(url);
  });
});
