import { EMAIL_REPLACEMENT, OMITTED, omitFreeText, redactedJson, redactEmails } from '../../src/core/privacy';

describe('privacy', () => {
  it('removes email addresses from every string, however deep', () => {
    const record = { a: 'Signed-off-by: Jane Doe <jane.doe@example.co.uk>', b: [{ c: 'ops+alerts@corp.example' }], d: 42, e: 'no address @ here' };
    expect(redactEmails(record)).toEqual({ a: `Signed-off-by: Jane Doe <${EMAIL_REPLACEMENT}>`, b: [{ c: EMAIL_REPLACEMENT }], d: 42, e: 'no address @ here' });
  });

  it('serializes without addresses, even next to escapes, and stays valid JSON', () => {
    const value = { a: 'x\njane@example.com', b: '\u0007bob@example.org', c: 'plain' };
    expect(JSON.parse(redactedJson(value))).toEqual({ a: `x\n${EMAIL_REPLACEMENT}`, b: `\u0007${EMAIL_REPLACEMENT}`, c: 'plain' });
    expect(redactedJson({ c: 'plain' })).toBe('{"c":"plain"}');
  });

  it('replaces free text but keeps the structure and identifiers', () => {
    const record = {
      push: { changes: [{ commits: [{ hash: 'abc', message: 'secret plan' }], new: { name: 'main', target: { message: 'tag text' } } }] },
      pullrequest: { id: 1, title: 'Title', state: 'OPEN' },
      changes: { description: { old: 'a', new: 'b' }, name: { old: 'x', new: 'y' } },
    };
    expect(omitFreeText(record)).toEqual({
      push: { changes: [{ commits: [{ hash: 'abc', message: OMITTED }], new: { name: 'main', target: { message: OMITTED } } }] },
      pullrequest: { id: 1, title: OMITTED, state: 'OPEN' },
      changes: { description: { old: OMITTED, new: OMITTED }, name: { old: 'x', new: 'y' } },
    });
  });
});
