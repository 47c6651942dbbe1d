import {
  EMAIL_REPLACEMENT,
  LONGEST_ADDRESS,
  OMITTED,
  omitFreeText,
  redactedJson,
  redactEmails,
  scannedSoFar,
  scrubbedPrefix,
  scrubEmails,
  scrubJsonText,
  type ScanWork,
} from '../../src/core/privacy';

describe('privacy', () => {
  it('removes email addresses from every string, however deep', () => {
    const record = {
      a: 'Signed-off-by: Jane Doe <jane.doe@example.co.uk>',
      b: [{ c: 'ops+alerts@corp.example' }],
      d: 42,
      e: 'no address @ here',
    };
    expect(redactEmails(record)).toEqual({
      a: `Signed-off-by: Jane Doe <${EMAIL_REPLACEMENT}>`,
      b: [{ c: EMAIL_REPLACEMENT }],
      d: 42,
      e: 'no address @ here',
    });
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

describe('what counts as an email address', () => {
  it.each([
    ['andré@example.fr'],
    ['andre\u0301@example.fr'],
    ['josé.garcía@correo.es'],
    ['用户@例子.广告'],
    ['用户@例子。广告'],
    ['user@bücher.de'],
    ['δοκιμή@παράδειγμα.δοκιμή'],
    ['उपयोगकर्ता@उदाहरण.भारत'],
    ['ทดสอบ@ตัวอย่าง.ไทย'],
    ['𠮷野@example.jp'],
    ["o'brien!#$&*/=?^`{|}~@example.ie"],
    ['user@example.xn--p1ai'],
  ])('scrubs the Unicode or unusual address %s', (address) => {
    expect(scrubEmails(`Contact ${address} today`)).toBe(`Contact ${EMAIL_REPLACEMENT} today`);
  });

  it('scrubs an SSH remote such as git@bitbucket.org:team/repo.git, which is address-shaped', () => {
    // Chosen: telling a remote from an address would need context the text does not carry, and a
    // forwarded remote loses only its host name.
    expect(scrubEmails('remote git@bitbucket.org:team/repo.git')).toBe(`remote ${EMAIL_REPLACEMENT}:team/repo.git`);
  });

  it.each([
    ['@mention'],
    ['foo@'],
    ['a@b'],
    ['user@localhost'],
    ['a@b.c'],
    ['admin@10.0.0.1'],
    ['no address @ here'],
    ['@@'],
    ['x@.com'],
    ['x@-'],
  ])('leaves %p alone: no local part, or no domain with a two-letter top-level label', (text) => {
    expect(scrubEmails(text)).toBe(text);
  });

  it('keeps the full stop that ends a sentence after an address', () => {
    expect(scrubEmails('Write to jane@example.com.')).toBe(`Write to ${EMAIL_REPLACEMENT}.`);
  });

  it('removes addresses written back to back without leaving one behind', () => {
    expect(scrubEmails('a@b.cc@d.ee')).toBe(`${EMAIL_REPLACEMENT}@d.ee`);
    expect(scrubEmails('a@b.c@d.ee')).toBe(`a@${EMAIL_REPLACEMENT}`);
  });

  it('finds exactly what the equivalent regular expression finds, on thousands of generated strings', () => {
    const local = "[\\p{L}\\p{M}\\p{Nd}._%+\\-!#$&'*/=?^`{|}~]";
    const label = '[\\p{L}\\p{M}\\p{Nd}-]';
    const dot = '[.。．｡]';
    // Fine on short strings; it is the backtracking this scanner replaces on long ones.
    const address = new RegExp(`${local}+@${label}+(?:${dot}${label}+)*${dot}\\p{L}[\\p{L}\\p{M}]`, 'u');
    // Pieces rather than single characters, so that addresses, near misses and neighbours are common.
    const alphabet = ['a', 'ab', 'Zé', '用户', '\u0301', '1', '.', '.', '。', '-', '+', '_', '@', '@', ' ', ':', '.co', '@x'];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const disagreements: Array<{ text: string; scrubbed: string }> = [];
    let found = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const text = Array.from({ length: Math.floor(random() * 14) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const scrubbed = scrubEmails(text);
      const hasAddress = address.test(text);
      if (hasAddress) found += 1;
      // Nothing address-shaped may remain, and text without an address must come back unchanged.
      if (address.test(scrubbed) || (!hasAddress && scrubbed !== text)) disagreements.push({ text, scrubbed });
    }
    expect(disagreements).toEqual([]);
    expect(found).toBeGreaterThan(500);
  });
});

describe('scrubbing in linear time', () => {
  // Work is counted, not timed: characters looked at, at most three times each (indexOf, back over
  // a local part, forward over a domain).
  const cases: Array<[string, (n: number) => string]> = [
    ['a run of "a" with one "@" in the middle', (n) => 'a'.repeat(n / 2) + '@' + 'a'.repeat(n / 2)],
    [
      'a base64-like token followed by "@x"',
      (n) => Buffer.from(Array.from({ length: (n * 3) / 4 }, (_, i) => (i * 37 + 11) & 255)).toString('base64') + '@x',
    ],
    ['a token ending in "@"', (n) => 'Q'.repeat(n) + '@'],
    ['"@" after every character', (n) => 'a@'.repeat(n / 2)],
    ['one-letter labels that never reach a top-level label', (n) => 'x@' + 'a.'.repeat(n / 2)],
    ['a hyphen run for a domain', (n) => 'x@' + '-'.repeat(n)],
    ['many real addresses', (n) => 'a@b.cc '.repeat(n / 7)],
    ['non-ASCII letters around "@"', (n) => 'é'.repeat(n / 2) + '@' + 'ü'.repeat(n / 2)],
  ];

  it.each(cases)('looks at each character a bounded number of times: %s', (_name, make) => {
    for (const n of [100_000, 200_000]) {
      const text = make(n);
      const work: ScanWork = { steps: 0 };
      scrubEmails(text, work);
      expect(work.steps).toBeLessThanOrEqual(3 * text.length + 3);
    }
  });

  it('scrubs the 200 KB cases correctly', () => {
    const middle = 'a'.repeat(100_000) + '@' + 'a'.repeat(100_000);
    expect(scrubEmails(middle)).toBe(middle);
    const token = 'QUJD'.repeat(50_000);
    expect(scrubEmails(`${token}@x`)).toBe(`${token}@x`);
    expect(scrubEmails(`${token}@example.com`)).toBe(EMAIL_REPLACEMENT);
  });

  it('scans a cut string only a bounded distance past the cut, and removes an address straddling it whole', () => {
    const text = 'x'.repeat(1020) + ' jane.doe@example.com ' + 'y'.repeat(200_000);
    const kept = scrubbedPrefix(text, 1024);
    expect(kept).toHaveLength(1024);
    expect(kept).not.toContain('jane');
    expect(kept.endsWith(' [em')).toBe(true);
    const before = scannedSoFar();
    scrubbedPrefix(text, 1024);
    expect(scannedSoFar() - before).toBeLessThanOrEqual(3 * (1024 + LONGEST_ADDRESS));
  });
});

describe('scrubbing structures', () => {
  it('scrubs an address used as a key', () => {
    expect(redactEmails({ reviewers: { 'jane@example.com': 'approved' } })).toEqual({ reviewers: { [EMAIL_REPLACEMENT]: 'approved' } });
  });

  it('keeps both values when two keys scrub to the same text', () => {
    expect(redactEmails({ 'a@example.com': 1, 'b@example.com': 2 })).toEqual({ [EMAIL_REPLACEMENT]: 1, [`${EMAIL_REPLACEMENT} (2)`]: 2 });
  });

  it('keeps a "__proto__" key as a key', () => {
    const value = JSON.parse('{"__proto__": {"x": "jane@example.com"}}') as unknown;
    expect(redactedJson(value)).toBe(`{"__proto__":{"x":"${EMAIL_REPLACEMENT}"}}`);
  });

  it('returns a value without addresses as it is, uncopied', () => {
    const value = { a: [{ b: 'plain' }], c: 'still plain' };
    expect(redactEmails(value)).toBe(value);
  });

  it('copies only what changes and never modifies its input', () => {
    const untouched = { b: 'plain' };
    const value = { a: 'jane@example.com', untouched };
    const scrubbed = redactEmails(value);
    expect(value.a).toBe('jane@example.com');
    expect(scrubbed.untouched).toBe(untouched);
  });
});

describe('scrubbing serialized JSON in one pass', () => {
  it.each([
    ['after an escaped newline', 'x\njane@example.com'],
    ['after an escaped control character', '\u001fjane@example.com'],
    ['after a lone surrogate, which JSON.stringify escapes', '\ud800jane@example.com'],
    ['after a literal backslash and "n"', 'C:\\njane@example.com'],
    ['next to quotes', '"jane@example.com"'],
    ['before an escape', 'jane@example.com\t'],
  ])('scrubs the text exactly as the structure would be scrubbed: %s', (_name, value) => {
    const json = JSON.stringify({ value });
    expect(scrubJsonText(json)).toBe(JSON.stringify(redactEmails({ value })));
    expect(JSON.parse(scrubJsonText(json) as string).value).toBe(scrubEmails(value));
  });

  it('declines text with an address in a key, whose scrubbing could make two keys equal', () => {
    expect(scrubJsonText(JSON.stringify({ 'jane@example.com': 'x', b: 'bob@example.com' }))).toBeUndefined();
  });

  it('agrees with scrubbing the structure, on thousands of generated values', () => {
    const pieces = [
      'a',
      'é',
      '用',
      'jane',
      '@',
      'jane@',
      '@example.com',
      'example.com',
      '.',
      ' ',
      '\n',
      '\t',
      '"',
      '\\',
      '\u0001',
      '\ud800',
      '\udc00',
      '𠮷',
      'u001f',
      'n',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const text = () => Array.from({ length: Math.floor(random() * 10) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    const disagreements: unknown[] = [];
    let scrubbed = 0;
    for (let i = 0; i < 5_000; i += 1) {
      const value = { [random() < 0.2 ? text() : `k${i}`]: [text(), { inner: text() }], plain: text() };
      const json = JSON.stringify(value);
      const expected = JSON.stringify(redactEmails(value));
      const actual = scrubJsonText(json);
      const keyHasAddress = Object.keys(value).some((key) => scrubEmails(key) !== key);
      if (actual !== (keyHasAddress ? undefined : expected)) disagreements.push({ value, actual, expected });
      if (actual !== undefined && actual !== json) scrubbed += 1;
    }
    expect(disagreements).toEqual([]);
    expect(scrubbed).toBeGreaterThan(1_000);
  });

  it('looks at each character of the text a bounded number of times', () => {
    for (const n of [100_000, 200_000]) {
      const json = JSON.stringify({ a: '\\n'.repeat(n / 4) + 'x@' + '\u0001a@b.cc'.repeat(n / 16) });
      const work: ScanWork = { steps: 0 };
      scrubJsonText(json, work);
      expect(work.steps).toBeLessThanOrEqual(4 * json.length);
    }
  });
});
