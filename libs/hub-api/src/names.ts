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
