// How names staff type are told apart (groups, policies, classes): as a school reads them, so
// "Year 5", "year 5 ", "Year  5", "Ｙｅａｒ 5" and "Year 5" with an invisible zero-width space are
// one name. The hub keeps each name as typed for display and makes this key unique in the
// database; the console may use it to spot a clash early.

// Characters that show nothing (Unicode's Default_Ignorable_Code_Point: zero-width spaces and
// joiners, the soft hyphen, word joiners, variation selectors, the byte-order mark, Hangul
// fillers): a name holding one looks exactly like the name without it.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The longest key, in characters: the databases' key columns are varchar(255). A name is at most
 * 128 characters, but NFKC and upper case can lengthen one many times ("\ufdfa" is 18 letters),
 * so a longer key is cut rather than refused by PostgreSQL with a 500.
 */
export const NAME_KEY_MAX = 255;

/**
 * The key a name is unique by, as a person reading it tells names apart (the comparison of
 * RFC 8266's nickname profile, plus invisible characters left out):
 *
 * - compatibility forms are one (Unicode NFKC): full-width "Ｙｅａｒ" and "Year", "ﬁ" and "fi",
 *   and composed and decomposed accents ("Café" typed on a Mac and on Windows);
 * - characters that show nothing (zero-width space, soft hyphen, variation selectors ...) are
 *   left out;
 * - surrounding white space is dropped and every inner run (tabs, no-break spaces, two spaces)
 *   read as one space;
 * - capitals are folded through upper case, so every form of a letter is one: "ß" and "SS",
 *   and Turkish "ı", "I", "i" and "İ" ("SINIF" and "Sınıf").
 *
 * @param name a name as typed, e.g. "  Year  5 "
 * @returns its key, e.g. "year 5", at most `NAME_KEY_MAX` characters; never throws
 */
export function nameKeyOf(name: string): string {
  const key = name
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toUpperCase()
    .toLowerCase()
    .replace(/i\u0307/g, 'i')
    .normalize('NFKC');
  return key.length <= NAME_KEY_MAX ? key : Array.from(key).slice(0, NAME_KEY_MAX).join('');
}

/**
 * Letters Unicode does not decompose that English readers (and CLDR's English collation) file
 * under a plain letter: "Ødegård" among the Os, "Łukasz" among the Ls, "Æsa" as "Aesa". Letters
 * CLDR keeps apart (þ, ŋ, ŧ ...) keep their own place, after z.
 */
const FILED_AS: Readonly<Record<string, string>> = {
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
};

/** Typographic punctuation read as its plain ASCII form, so "O’Brien" files with "O'Brien". */
const PLAIN_PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2010': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
};

/** Between the levels of a sort key: below every character a name can hold (no controls). */
const LEVEL_SEPARATOR = '\u0001';

/** The longest part of a sort key, in characters, at each of its three levels. */
const SORT_LEVEL_MAX = 255;

/**
 * The longest sort key, in characters: three levels and two separators. The databases' sort key
 * columns are varchar(800) (migration 1764920000000).
 */
export const NAME_SORT_KEY_MAX = 3 * SORT_LEVEL_MAX + 2;

function cut(text: string): string {
  return text.length <= SORT_LEVEL_MAX ? text : Array.from(text).slice(0, SORT_LEVEL_MAX).join('');
}

/**
 * The key lists are ordered by name with (`name_sort_key` columns), so that comparing keys
 * character by character (by code point: SQLite's BINARY, PostgreSQL's `COLLATE "C"`) gives the
 * order a person reading the list expects, the same on both databases and whatever collation a
 * PostgreSQL server was set up with. It follows CLDR's English collation (`Intl.Collator('en',
 * { numeric: true })`) for names in Latin letters, in three levels, each deciding only where the
 * ones before tie:
 *
 * 1. letters without their accents and capitals: "Émile" among the Es, "Ødegård" among the Os,
 *    "Łukasz" among the Ls, "Ünal" among the Us, "Æsa" as "aesa"; numbers by their value ("Year
 *    5" before "Year 10"); spaces before punctuation before digits before letters;
 * 2. accents: "Emile" before "Émile", "Odegard" before "Ødegård" (the name's `nameKeyOf`);
 * 3. capitals: "emile" before "Emile".
 *
 * Scripts other than Latin and Greek keep their marks and letters in code point order (Cyrillic,
 * Arabic, Hebrew, kana and Hangul are in alphabetical order there), after the Latin letters. Two
 * names with one key are one name to a reader; callers order ties by id.
 *
 * @param name a name as typed, e.g. "Ødegård"
 * @returns its key, e.g. "odegard\u0001ødegård\u0001øDEGÅRD", at most `NAME_SORT_KEY_MAX`
 *   characters; never throws
 */
export function nameSortKeyOf(name: string): string {
  const key = nameKeyOf(name);
  const letters = key
    .normalize('NFD')
    // Accents off Latin and Greek letters only: in Cyrillic "й" is a letter of its own.
    .replace(/([\p{Script=Latin}\p{Script=Greek}])\p{Mn}+/gu, '$1')
    .normalize('NFC')
    .replace(/[æœøłđðħ]/g, (letter) => FILED_AS[letter])
    .replace(/[\u2018\u2019\u02bc\u201c\u201d\u2010\u2012-\u2015\u2212]/g, (mark) => {
      return PLAIN_PUNCTUATION[mark];
    })
    // A number by its value: its digits (no leading zeros) after their count, in two digits.
    .replace(/[0-9]+/g, (digits) => {
      const value = digits.replace(/^0+(?=[0-9])/, '');
      return String(Math.min(value.length, 99)).padStart(2, '0') + value;
    });
  const shown = name.normalize('NFKC').replace(INVISIBLE, '').trim().replace(/\s+/g, ' ');
  // Capitals after small letters, as CLDR has them: each letter's case swapped (a letter whose
  // capital is two, as "ß" is "SS", kept as it is, after the two plain letters).
  const capitals = Array.from(shown, (c) => {
    const [lower, upper] = [c.toLowerCase(), c.toUpperCase()];
    return c !== lower ? lower : upper.length === c.length ? upper : c;
  }).join('');
  return [cut(letters), key, cut(capitals)].join(LEVEL_SEPARATOR);
}
