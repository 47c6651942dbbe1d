import { CoralogixReceiver, MAX_REQUEST_BYTES } from '../../sandbox/coralogix-receiver';
import { EgressNotAllowedError } from '../../sandbox/platform/egress';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { ingressHost, REGION_IDS, tagsHost } from '../../src/core/regions';
import { routeCoralogix } from '../support/egress';

// The receiver's version tags endpoint, as strict as its logs endpoint: a wrong guess in the app about
// "cURL Version Tags" must fail here, not silently in a customer's Coralogix.
const LOGS_KEY = 'cxtp_send_your_data_123';
const TAGS_KEY = 'cxup_cicd_integration_456';
const TAG = { name: 'payments-api 318', timestamp: 1_794_225_287_018, application: ['payments'], subsystem: ['payments-api'] };
const ENTRY = { applicationName: 'app', subsystemName: 'sub', text: '{"a":1}' };

describe('the Coralogix receiver: version tags', () => {
  let receiver: CoralogixReceiver;
  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [LOGS_KEY], tagsKeys: [TAGS_KEY] });
  });
  afterAll(() => receiver.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TAGS_KEY}`, ...headers },
      body,
    });
  const postTag = (body: unknown, headers: Record<string, string> = {}) =>
    post('/api/v1/external/tags', typeof body === 'string' ? body : JSON.stringify(body), headers);
  const postLogs = (headers: Record<string, string> = {}) =>
    post('/logs/v1/singles', JSON.stringify([ENTRY]), { authorization: `Bearer ${LOGS_KEY}`, ...headers });

  it('accepts a well-formed tag with 201 and records it, its host and the request', async () => {
    const before = receiver.tags.length;
    const seen: string[] = [];
    const stop = receiver.onTags((tag) => seen.push(tag.body.name));
    const response = await postTag(TAG);
    stop();
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: TAG.name });
    expect(receiver.tags.slice(before)).toEqual([
      { body: TAG, host: new URL(receiver.url).host, region: undefined, receivedAt: expect.any(Number) },
    ]);
    expect(seen).toEqual([TAG.name]);
    expect(receiver.tagRequests.at(-1)).toMatchObject({ status: 201 });
  });

  it.each([
    ['a date string timestamp', { ...TAG, timestamp: '2026-11-09T12:14:47.018Z' }],
    ['no timestamp (Coralogix applies the current time)', { name: 'v1', application: ['a'], subsystem: ['b'] }],
    ['an iconUrl', { ...TAG, iconUrl: 'https://example.com/icon.png' }],
    ['several applications and subsystems', { ...TAG, application: ['a', 'b'], subsystem: ['c', 'd'] }],
  ])('accepts %s', async (_what, body) => {
    expect((await postTag(body)).status).toBe(201);
  });

  it.each([
    ['no key', { authorization: '' }, 401],
    ['a key not in the Bearer form', { authorization: TAGS_KEY }, 401],
    ['a wrong key', { authorization: 'Bearer nope' }, 403],
    ['the Send-Your-Data key', { authorization: `Bearer ${LOGS_KEY}` }, 403],
    ['a non-JSON content type', { 'content-type': 'text/plain' }, 400],
  ])('refuses a tag with %s', async (_what, headers, status) => {
    const before = receiver.tags.length;
    const response = await postTag(TAG, headers);
    expect(response.status).toBe(status);
    expect(receiver.tags.length).toBe(before);
    expect(receiver.tagRequests.at(-1)).toMatchObject({ status });
  });

  it('says why a Send-Your-Data key is refused for tags, and a tags key for logs', async () => {
    const tagWithLogsKey = await postTag(TAG, { authorization: `Bearer ${LOGS_KEY}` });
    expect(await tagWithLogsKey.json()).toEqual({ error: expect.stringMatching(/Send-Your-Data key cannot create version tags/) });
    const logsWithTagsKey = await postLogs({ authorization: `Bearer ${TAGS_KEY}` });
    expect(logsWithTagsKey.status).toBe(403);
    expect(await logsWithTagsKey.json()).toEqual({ error: expect.stringMatching(/CICD integration key cannot send logs/) });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', JSON.stringify([TAG])],
    ['a missing name', { ...TAG, name: undefined }],
    ['an empty name', { ...TAG, name: '' }],
    ['a blank name', { ...TAG, name: '  ' }],
    ['a non-string name', { ...TAG, name: 318 }],
    ['application as a string', { ...TAG, application: 'payments' }],
    ['an empty application list', { ...TAG, application: [] }],
    ['an empty application name', { ...TAG, application: ['payments', ''] }],
    ['a non-string application', { ...TAG, application: [1] }],
    ['a missing application', { ...TAG, application: undefined }],
    ['subsystem as a string', { ...TAG, subsystem: 'payments-api' }],
    ['an empty subsystem list', { ...TAG, subsystem: [] }],
    ['a missing subsystem', { ...TAG, subsystem: undefined }],
    ['a timestamp in seconds', { ...TAG, timestamp: 1_794_225_287 }],
    ['a timestamp that is no date', { ...TAG, timestamp: 'yesterday-ish' }],
    ['a boolean timestamp', { ...TAG, timestamp: true }],
    ['an iconUrl that is no URL', { ...TAG, iconUrl: 'icon.png' }],
    ['an unknown field', { ...TAG, key: TAGS_KEY }],
    ['the logs field names', { name: 'v1', applicationName: 'a', subsystemName: 'b' }],
  ])('refuses a body with %s', async (_what, body) => {
    const before = receiver.tags.length;
    const response = await postTag(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    expect(receiver.tags.length).toBe(before);
  });

  it('refuses a tag over the request limit with 413', async () => {
    expect((await postTag({ ...TAG, name: 'x'.repeat(MAX_REQUEST_BYTES) })).status).toBe(413);
  });

  it('refuses the GET form with the key in the URL, and other paths', async () => {
    const get = await fetch(`${receiver.url}/api/v1/external/tags/add?key=${TAGS_KEY}&application=a&subsystem=b&name=v1`);
    expect(get.status).toBe(404);
    const wrongMethod = await fetch(`${receiver.url}/api/v1/external/tags`, { headers: { authorization: `Bearer ${TAGS_KEY}` } });
    expect(wrongMethod.status).toBe(405);
  });

  it('keeps tags and log requests apart', async () => {
    const [logsBefore, tagsBefore] = [receiver.requests.length, receiver.tagRequests.length];
    expect((await postLogs()).status).toBe(200);
    expect((await postTag(TAG)).status).toBe(201);
    expect(receiver.requests.slice(logsBefore)).toEqual([expect.objectContaining({ status: 200, entries: 1 })]);
    expect(receiver.tagRequests.slice(tagsBefore)).toEqual([expect.objectContaining({ status: 201 })]);
  });

  it('fails tags only, while logs pass, with faults aimed at the tags endpoint', async () => {
    receiver.injectTags({ kind: 'status', status: 503 }, { kind: 'status', status: 429, retryAfter: '30' });
    expect((await postLogs()).status).toBe(200);
    expect((await postTag(TAG)).status).toBe(503);
    expect((await postLogs()).status).toBe(200);
    const limited = await postTag(TAG);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '30']);
    expect((await postTag(TAG)).status).toBe(201);
    expect(receiver.pendingFaults).toBe(0);
  });

  it('fails logs only with faults aimed at the logs endpoint', async () => {
    receiver.inject({ kind: 'status', status: 500, path: 'logs' });
    expect((await postTag(TAG)).status).toBe(201);
    expect((await postLogs()).status).toBe(500);
    expect((await postLogs()).status).toBe(200);
  });

  it('applies a fault with no path to the next request, whichever endpoint', async () => {
    receiver.inject({ kind: 'status', status: 502 });
    expect((await postTag(TAG)).status).toBe(502);
    expect((await postLogs()).status).toBe(200);
  });

  it('can reset a tag request, and answer one late after taking it', async () => {
    receiver.injectTags({ kind: 'reset' });
    await expect(postTag(TAG)).rejects.toThrow();
    const before = receiver.tags.length;
    receiver.injectTags({ kind: 'delay', ms: 50 });
    expect((await postTag(TAG)).status).toBe(201);
    expect(receiver.tags.length).toBe(before + 1);
  });

  it('stops taking a retired tags key', async () => {
    receiver.acceptTagsKeys('cxup_rotated_789');
    try {
      expect((await postTag(TAG)).status).toBe(403);
      expect((await postTag(TAG, { authorization: 'Bearer cxup_rotated_789' })).status).toBe(201);
    } finally {
      receiver.acceptTagsKeys(TAGS_KEY);
    }
  });
});

describe('the Coralogix receiver behind Forge egress', () => {
  let receiver: CoralogixReceiver;
  let platform: ForgePlatform;
  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [LOGS_KEY], tagsKeys: [TAGS_KEY] });
    platform = new ForgePlatform();
    routeCoralogix(platform, receiver.url);
  });
  afterAll(async () => {
    platform.uninstall();
    await receiver.close();
  });

  // The runtime's global fetch, which the platform guards with the manifest's egress allow-list.
  const send = (url: string, body: unknown, key: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it('tells which region a tag was addressed to, and logs to which ingress', async () => {
    expect((await send(`https://${tagsHost('AP2')}/api/v1/external/tags`, TAG, TAGS_KEY)).status).toBe(201);
    expect(receiver.tags.at(-1)).toMatchObject({ host: 'api.ap2.coralogix.com', region: 'AP2', body: TAG });
    expect((await send(`https://${ingressHost('US2')}/logs/v1/singles`, [ENTRY], LOGS_KEY)).status).toBe(200);
    expect(receiver.requests.at(-1)).toMatchObject({ status: 200, host: 'ingress.us2.coralogix.com' });
  });

  it('routes every region: logs to its ingress, tags to its API host where it has one', async () => {
    for (const region of REGION_IDS) {
      expect((await send(`https://${ingressHost(region)}/logs/v1/singles`, [ENTRY], LOGS_KEY)).status).toBe(200);
      expect(receiver.requests.at(-1)?.host).toBe(ingressHost(region));
    }
    const tagged = REGION_IDS.filter((region) => region !== 'GOV1');
    for (const region of tagged) {
      expect((await send(`https://${tagsHost(region)}/api/v1/external/tags`, TAG, TAGS_KEY)).status).toBe(201);
      expect(receiver.tags.at(-1)).toMatchObject({ host: tagsHost(region), region });
    }
  });

  it('refuses tags at an ingress host and logs at an API host, as Coralogix serves neither there', async () => {
    expect((await send(`https://${ingressHost('EU1')}/api/v1/external/tags`, TAG, TAGS_KEY)).status).toBe(404);
    expect((await send(`https://${tagsHost('EU1')}/logs/v1/singles`, [ENTRY], LOGS_KEY)).status).toBe(404);
  });

  it('keeps failing hosts the manifest does not declare, as Forge does', async () => {
    const refusedBefore = platform.egressCounters.refused;
    // GOV1 has no version tags, so its API host is not declared.
    const refused = { name: new EgressNotAllowedError('').name };
    await expect(send(`https://${tagsHost('GOV1')}/api/v1/external/tags`, TAG, TAGS_KEY)).rejects.toMatchObject(refused);
    await expect(send('https://ng-api-http.eu1.coralogix.com/api/v1/external/tags', TAG, TAGS_KEY)).rejects.toMatchObject(refused);
    expect(platform.egressCounters.refused).toBe(refusedBefore + 2);
  });
});
