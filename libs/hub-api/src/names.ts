// How names staff type are told apart (groups, policies, classes): as a school reads them, so
// "Year 5", "year 5 " and "Year  5" are one name. The hub keeps each name as typed for display
// and makes this key unique in the database; the console may use it to spot a clash early.

/**
 * The key a name is unique by: surrounding spaces dropped, every run of inner white space (tabs,
 * no-break spaces, two spaces) read as one space, and lower case. Composed and decomposed accents
 * are one (Unicode NFC), so "Café" typed on a Mac and on Windows is one name.
 *
 * @param name a name as typed, e.g. "  Year  5 "
 * @returns its key, e.g. "year 5"; never throws
 */
export function nameKeyOf(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}
