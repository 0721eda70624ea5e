// The hub's 400s name the body's fields as the API spells them ("displayName must not be blank",
// "each of deviceIds must be a UUID"): right for an API client, not for a member of staff reading
// a form. The console shows every error through `plainFieldNames`.

/** Field names said otherwise than word by word ("ttl" is not a word a school uses). */
const NAMES: Record<string, string> = {
  ttlMinutes: 'lifetime in minutes',
  maxUses: 'number of devices',
};
const WORDS: Record<string, string> = { id: 'ID', ids: 'IDs' };
const FIELD_NAME = /(?<![\w.])[a-z]{2,}(?:[A-Z][a-z]+)+(?![\w.])/g;
/** Text the hub quotes back ("LT/01", “Year 4”), one capture group so `split` keeps it. */
const QUOTED = /("[^"]*"|“[^”]*”)/;

/**
 * `text` with each API field name in it (a camelCase word: lower-case letters, then one or more
 * capitalised parts, such as `displayName`, `assetTags`, `teacherIds`) written as words
 * (`display name`, `asset tags`, `teacher IDs`), and its first letter capitalised. Words inside
 * dotted names (an app id such as `org.school.mathsApp`, a setting path) and words such as
 * `iPad`, `macOS` or `YouTube` (not at the start of a part) are left as they are, and so is
 * anything in quotation marks: the hub quotes back what was sent ("labTablet/1" is not an asset
 * tag, eachMustBe in apps/hub/src/common/validation.ts), which must read as it was typed.
 */
export function plainFieldNames(text: string): string {
  // A message (or a part of one after "; ") may begin with the field name capitalised.
  const lowered = text.replace(
    /(^|;\s+)([A-Z])(?=[a-z]+(?:[A-Z][a-z]+)+(?![\w.]))/g,
    (_all, before: string, first: string) => before + first.toLowerCase(),
  );
  // What the hub quotes back ("labTablet/1" is not an asset tag) is what was typed: kept as it is.
  const out = lowered
    .split(QUOTED)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part.replace(
            FIELD_NAME,
            (name) =>
              NAMES[name] ??
              name
                .replace(/([A-Z])/g, ' $1')
                .toLowerCase()
                .split(' ')
                .map((word) => WORDS[word] ?? word)
                .join(' '),
          ),
    )
    .join('');
  return out.charAt(0).toUpperCase() + out.slice(1);
}
