import { EMAIL_REPLACEMENT, OMITTED, omitFreeText, redactEmails } from '../../src/core/privacy';

describe('privacy', () => {
  it('removes email addresses from every string, however deep', () => {
    const record = { a: 'Signed-off-by: Jane Doe <jane.doe@example.co.uk>', b: [{ c: 'ops+alerts@corp.example' }], d: 42, e: 'no address @ here' };
    expect(redactEmails(record)).toEqual({ a: `Signed-off-by: Jane Doe <${EMAIL_REPLACEMENT}>`, b: [{ c: EMAIL_REPLACEMENT }], d: 42, e: 'no address @ here' });
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
