import type { CoralogixEntry } from '../../src/core/coralogix-entry';
import { EMAIL_REPLACEMENT } from '../../src/core/privacy';
import { byteLength, entryText, fitEntry, MAX_ENTRY_TEXT_BYTES } from '../../src/core/size';

const base: CoralogixEntry = { applicationName: 'a', subsystemName: 's', text: '' };

function entryWith(document: unknown): CoralogixEntry {
  return { ...base, text: JSON.stringify(document) };
}

describe('fitting an entry under the size limit', () => {
  it('leaves an entry under the limit untouched', () => {
    const entry = entryWith({ event: { id: 'x' }, bitbucket: { a: 'b' } });
    expect(fitEntry(entry)).toBe(entry);
  });

  it('shortens long strings first and says which, with the original size', () => {
    const entry = entryWith({
      source_system: 'bitbucket',
      event: { id: 'x' },
      bitbucket: { push: { changes: [{ commits: [{ message: 'm'.repeat(150_000) }] }] } },
    });
    const fitted = fitEntry(entry);
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    const document = JSON.parse(fitted.text);
    expect(document.trimmed).toEqual({
      original_bytes: byteLength(entry.text),
      strings_shortened: ['bitbucket.push.changes.0.commits.0.message'],
    });
    expect(document.event).toEqual({ id: 'x' });
    expect(document.bitbucket.push.changes[0].commits[0].message).toMatch(/^m{1024}…$/);
  });

  it('then shortens long arrays, counting what was removed', () => {
    const commits = Array.from({ length: 2000 }, (_, i) => ({ hash: `${i}`.padStart(40, '0'), message: 'x'.repeat(200) }));
    const fitted = fitEntry(entryWith({ event: { id: 'x' }, bitbucket: { commits } }));
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    const document = JSON.parse(fitted.text);
    expect(document.trimmed.arrays_shortened).toEqual([{ path: 'bitbucket.commits', removed: 1990 }]);
    expect(document.bitbucket.commits).toHaveLength(10);
  });

  it('as a last resort drops payload sections but keeps the event identity', () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field${i}`, 'v'.repeat(30)]));
    const fitted = fitEntry(entryWith({ source_system: 'bitbucket', event: { id: 'x', type: 't' }, bitbucket: wide }));
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    expect(JSON.parse(fitted.text)).toMatchObject({
      source_system: 'bitbucket',
      event: { id: 'x', type: 't' },
      trimmed: { dropped: ['bitbucket'] },
    });
  });

  it('fits text that is not JSON', () => {
    const fitted = fitEntry({ ...base, text: 'z'.repeat(300_000) });
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    expect(JSON.parse(fitted.text).trimmed.original_bytes).toBe(300_000);
  });

  it('counts multi-byte characters as bytes', () => {
    const fitted = fitEntry(entryWith({ event: { id: 'x' }, note: '€'.repeat(40_000) }));
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
  });
});

describe('building an entry text from a record', () => {
  it('drops the largest payload section first and stops once the text fits', () => {
    const fitted = fitEntry(
      entryWith({
        source_system: 'bitbucket',
        event: { id: 'x' },
        small: { a: 'v'.repeat(900) },
        large: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, 'v'.repeat(30)])),
      }),
    );
    const document = JSON.parse(fitted.text);
    expect(document.trimmed.dropped).toEqual(['large']);
    expect(document.small).toEqual({ a: 'v'.repeat(900) });
  });

  it('serializes a record that fits as it is, addresses scrubbed', () => {
    expect(entryText({ source_system: 'bitbucket', event: { id: 'x', by: 'jane@example.com' } })).toBe(
      `{"source_system":"bitbucket","event":{"id":"x","by":"${EMAIL_REPLACEMENT}"}}`,
    );
  });

  it('stays under the limit when scrubbing makes the text longer than the record', () => {
    // Each 7-character address becomes the 15-character marker: 98 KB of them would become 210 KB.
    const text = entryText({
      source_system: 'bitbucket',
      event: { id: 'x' },
      bitbucket: { notes: Array.from({ length: 14 }, () => 'a@b.co '.repeat(1000)) },
    });
    expect(byteLength(text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    expect(text).not.toContain('a@b.co');
    expect(JSON.parse(text).trimmed.strings_shortened).toHaveLength(14);
  });

  it('never modifies the record it trims, whose objects the payload shares', () => {
    const shared = {
      commits: Array.from({ length: 200 }, (_, i) => ({ hash: String(i), message: `jane@example.com ${'m'.repeat(2000)}` })),
    };
    const record = { source_system: 'bitbucket', event: { id: 'x' }, bitbucket: { push: shared } };
    const before = JSON.stringify(record);
    const text = entryText(record);
    expect(JSON.stringify(record)).toBe(before);
    expect(byteLength(text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    expect(text).not.toContain('jane@');
    expect(JSON.parse(text).trimmed).toMatchObject({
      original_bytes: byteLength(before),
      arrays_shortened: [{ path: 'bitbucket.push.commits', removed: 190 }],
    });
  });
});
