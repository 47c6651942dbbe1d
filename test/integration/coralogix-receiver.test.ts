import { CoralogixReceiver, MAX_REQUEST_BYTES } from '../../sandbox/coralogix-receiver';

// The receiver is the app's stand-in for Coralogix in every delivery test, so its strictness is tested too.
const KEY = 'cxtp_valid_key_123';
const ENTRY = { applicationName: 'app', subsystemName: 'sub', text: '{"a":1}', severity: 3, timestamp: 1_700_000_000_000 };

describe('the Coralogix contract receiver', () => {
  let receiver: CoralogixReceiver;
  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
  });
  afterAll(() => receiver.close());

  const post = (body: string, headers: Record<string, string> = {}, path = '/logs/v1/singles') =>
    fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
      body,
    });

  it('accepts a well-formed request and records its entries', async () => {
    const before = receiver.entries.length;
    const response = await post(JSON.stringify([ENTRY, { ...ENTRY, text: 'plain' }]));
    expect(response.status).toBe(200);
    expect(receiver.entries.slice(before)).toEqual([ENTRY, { ...ENTRY, text: 'plain' }]);
  });

  it.each([
    ['no key', { authorization: '' }, 401],
    ['a wrong key', { authorization: 'Bearer nope' }, 403],
    ['a key in the body style of the legacy API', { authorization: `privateKey ${KEY}` }, 401],
    ['a non-JSON content type', { 'content-type': 'text/plain' }, 400],
  ])('refuses %s', async (_what, headers, status) => {
    expect((await post(JSON.stringify([ENTRY]), headers)).status).toBe(status);
  });

  it('refuses the legacy paths', async () => {
    expect((await post(JSON.stringify([ENTRY]), {}, '/api/v1/logs')).status).toBe(404);
  });

  it.each([
    ['not JSON', '{'],
    ['an object instead of an array', JSON.stringify(ENTRY)],
    ['an empty array', '[]'],
    ['a missing applicationName', JSON.stringify([{ ...ENTRY, applicationName: undefined }])],
    ['a blank subsystemName', JSON.stringify([{ ...ENTRY, subsystemName: ' ' }])],
    ['a non-string text', JSON.stringify([{ ...ENTRY, text: { a: 1 } }])],
    ['severity 0', JSON.stringify([{ ...ENTRY, severity: 0 }])],
    ['severity 7', JSON.stringify([{ ...ENTRY, severity: 7 }])],
    ['a string timestamp', JSON.stringify([{ ...ENTRY, timestamp: '2026-01-01' }])],
    ['an unknown field', JSON.stringify([{ ...ENTRY, privateKey: KEY }])],
  ])('refuses a body with %s', async (_what, body) => {
    const before = receiver.entries.length;
    expect((await post(body)).status).toBe(400);
    expect(receiver.entries.length).toBe(before);
  });

  it('refuses a request over 2 MB whole with 413', async () => {
    const big = JSON.stringify([{ ...ENTRY, text: 'x'.repeat(MAX_REQUEST_BYTES) }]);
    expect((await post(big)).status).toBe(413);
  });

  it('plays injected faults in order, then behaves again', async () => {
    receiver.inject({ kind: 'status', status: 429, retryAfter: '3' }, { kind: 'status', status: 503 });
    const first = await post(JSON.stringify([ENTRY]));
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await post(JSON.stringify([ENTRY]))).status).toBe(503);
    expect((await post(JSON.stringify([ENTRY]))).status).toBe(200);
  });

  it('can reset the connection', async () => {
    receiver.inject({ kind: 'reset' });
    await expect(post(JSON.stringify([ENTRY]))).rejects.toThrow();
  });
});
