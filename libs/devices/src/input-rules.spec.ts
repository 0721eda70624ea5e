import {
  isRfc3339,
  plainTextProblem,
  quotedInput,
  rfc3339Problem,
  toPlainText,
} from './input-rules';

describe('rfc3339Problem', () => {
  it.each([
    '2027-01-31T08:00:00Z',
    '2027-01-31T08:00:00.5Z',
    '2027-01-31T08:00:00.123456789Z',
    '2027-01-31T09:00:00+01:00',
    '2027-01-31T03:00:00-05:00',
    '2028-02-29T00:00:00Z',
    '2027-12-31T23:59:59+14:00',
  ])('takes %s', (value) => {
    expect(rfc3339Problem(value)).toBeNull();
    expect(isRfc3339(value)).toBe(true);
  });

  it.each([
    '2027-W05-3',
    '2027-031T08:00:00Z',
    '2027-01-31',
    '2027-01-31T08:00:00',
    '2027-01-31T08:00Z',
    '20270131T080000Z',
    '2027-01-31 08:00:00Z',
    '2027-01-31t08:00:00z',
    '2027-02-30T08:00:00Z',
    '2027-02-29T08:00:00Z',
    '2027-04-31T08:00:00Z',
    '2027-13-01T08:00:00Z',
    '2027-00-10T08:00:00Z',
    '2027-01-31T24:00:00Z',
    '2027-01-31T08:60:00Z',
    '2027-12-31T23:59:60Z',
    '2027-01-31T08:00:00+24:00',
    '+275760-09-13T00:00:00Z',
    ' 2027-01-31T08:00:00Z',
    '',
  ])('refuses %j', (value) => {
    expect(rfc3339Problem(value)).toMatch(/^must be an RFC 3339 date-time with a time zone/);
  });

  it('says an impossible time in one message, with no "; " to split it at', () => {
    // Several messages of a 400 are joined by "; " (and split there by the console): one rule's
    // words must never hold it.
    expect([
      rfc3339Problem('2026-02-30T10:00:00Z'),
      rfc3339Problem('9999-12-31T23:00:00-02:00'),
    ]).toEqual([
      expect.stringMatching(/^must be an RFC 3339 [^;]*: 2026-02-30T10:00:00Z is not a real time$/),
      expect.stringMatching(
        /^must be an RFC 3339 [^;]*: 9999-12-31T23:00:00-02:00 is outside the years 0000 to 9999$/,
      ),
    ]);
  });

  it('refuses what is not a string', () => {
    expect(isRfc3339(Date.now())).toBe(false);
    expect(isRfc3339(['2027-01-31T08:00:00Z'])).toBe(false);
  });
});

describe('plainTextProblem', () => {
  const name = { max: 10 };

  it('takes ordinary text, in any script, with spaces inside', () => {
    expect(plainTextProblem('Year 7 Maths', { max: 20 })).toBeNull();
    expect(plainTextProblem('Zoë 😀 日本', name)).toBeNull();
  });

  it('refuses blank text and what is not a string', () => {
    expect(plainTextProblem('   ', name)).toBe('must not be blank');
    expect(plainTextProblem('', name)).toBe('must not be blank');
    expect(plainTextProblem(7, name)).toBe('must be a string');
  });

  it('refuses text of only characters that show nothing as blank, and keeps them inside text', () => {
    for (const invisible of [
      '\u200b',
      ' \u200b\u00ad ',
      '\u2060\ufeff',
      '\u3164',
      '\u200d\ufe0f',
    ]) {
      expect({ invisible, problem: plainTextProblem(invisible, name) }).toEqual({
        invisible,
        problem: 'must not be blank',
      });
    }
    expect(plainTextProblem('\u2764\ufe0f club', name)).toBeNull();
    expect(plainTextProblem('\u200b', { max: 10, allowBlank: true })).toBeNull();
  });

  it('refuses control characters, naming the first', () => {
    expect(plainTextProblem('a\u0001b', name)).toBe(
      'must not contain control characters (found U+0001)',
    );
    expect(plainTextProblem('a\u0000', name)).toMatch(/U\+0000/);
    expect(plainTextProblem('a\u007f', name)).toMatch(/U\+007F/);
    expect(plainTextProblem('a\u0085', name)).toMatch(/U\+0085/);
    expect(plainTextProblem('a\uffff', name)).toMatch(/U\+FFFF/);
  });

  it('refuses text-direction controls, which make a name read as another, but takes Arabic and Hebrew', () => {
    for (const control of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2069']) {
      expect(plainTextProblem(`Year 5 ${control}evil`, { max: 20 })).toMatch(
        /^must not contain text-direction controls, which can make it read as other text \(found U\+20(2[A-E]|6[69])\)$/,
      );
    }
    expect(plainTextProblem('مدرسة Oak', { max: 20 })).toBeNull();
    expect(plainTextProblem('בית ספר\u200f 5', { max: 20 })).toBeNull();
  });

  it('takes line breaks and tabs only in multi-line text', () => {
    expect(plainTextProblem('a\nb', name)).toMatch(/^must be one line/);
    expect(plainTextProblem('a\tb', name)).toMatch(/^must be one line/);
    expect(plainTextProblem('a\r\nb\tc', { max: 10, multiline: true })).toBeNull();
  });

  it('refuses lone surrogates but takes pairs', () => {
    expect(plainTextProblem('a\ud800', name)).toMatch(/lone surrogate/);
    expect(plainTextProblem('\udc00a', name)).toMatch(/lone surrogate/);
    expect(plainTextProblem('\ud83d\ude00', name)).toBeNull();
  });

  it('counts the length once surrounding spaces are trimmed', () => {
    expect(plainTextProblem(`  ${'x'.repeat(10)}  `, name)).toBeNull();
    expect(plainTextProblem('x'.repeat(11), name)).toBe('must be at most 10 characters');
    expect(plainTextProblem('short', { min: 20, max: 100 })).toBe('must be 20 to 100 characters');
  });

  it('takes the empty string only when asked, and blank only when asked', () => {
    expect(plainTextProblem('', { max: 10, allowEmpty: true })).toBeNull();
    expect(plainTextProblem('  ', { max: 10, allowEmpty: true })).toBe('must not be blank');
    expect(plainTextProblem('  ', { max: 10, allowBlank: true })).toBeNull();
    expect(plainTextProblem(' \u0000', { max: 10, allowBlank: true })).toMatch(/U\+0000/);
  });
});

describe('toPlainText', () => {
  it('removes control characters, lone surrogates and text-direction controls, and cuts to max', () => {
    expect(toPlainText('Year 5 \u202eevil\u0001 \ud800done', 100)).toBe('Year 5 evil done');
    expect(toPlainText('line one\nline two', 100)).toBe('line one\nline two');
    expect(toPlainText('Zoë 😀😀', 5)).toBe('Zoë ');
  });
});

describe('quotedInput', () => {
  it('keeps what is at most 64 characters whole', () => {
    expect(quotedInput('OAK-07')).toBe('OAK-07');
    expect(quotedInput('T'.repeat(64))).toBe('T'.repeat(64));
  });

  it('says the start and the length of anything longer', () => {
    expect(quotedInput('T'.repeat(5000))).toBe(`${'T'.repeat(64)}… (5000 characters)`);
    expect(quotedInput('abcdef', 3)).toBe('abc… (6 characters)');
  });

  it('counts and cuts whole characters, never half an emoji', () => {
    // 64 emoji are 128 UTF-16 units but 64 characters: kept whole.
    expect(quotedInput('😀'.repeat(64))).toBe('😀'.repeat(64));
    expect(quotedInput('😀'.repeat(65))).toBe(`${'😀'.repeat(64)}… (65 characters)`);
  });
});
