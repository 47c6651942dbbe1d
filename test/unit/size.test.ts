import type { CoralogixEntry } from '../../src/core/entry';
import { byteLength, fitEntry, MAX_ENTRY_TEXT_BYTES } from '../../src/core/size';

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
    const entry = entryWith({ source_system: 'bitbucket', event: { id: 'x' }, bitbucket: { push: { changes: [{ commits: [{ message: 'm'.repeat(150_000) }] }] } } });
    const fitted = fitEntry(entry);
    expect(byteLength(fitted.text)).toBeLessThanOrEqual(MAX_ENTRY_TEXT_BYTES);
    const document = JSON.parse(fitted.text);
    expect(document.trimmed).toEqual({ original_bytes: byteLength(entry.text), strings_shortened: ['bitbucket.push.changes.0.commits.0.message'] });
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
    expect(JSON.parse(fitted.text)).toMatchObject({ source_system: 'bitbucket', event: { id: 'x', type: 't' }, trimmed: { dropped: ['bitbucket'] } });
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
