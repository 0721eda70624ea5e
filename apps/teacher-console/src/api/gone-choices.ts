// What a form does when a choice it keeps (a group ticked, a device, a teacher) names something
// deleted meanwhile, in another tab or by another member of staff: it reads which ids the hub's
// refusal names as gone, drops them from the choice, and says in plain words what it removed, so
// the next press goes through without a reload. The hub names gone ids in a 400's part that starts
// with the field ("groupIds: no such groups: <id>, <id>", "deviceIds: no device <id>", "groupId:
// no group <id>", "teacherIds: no staff account <id>"), or answers 404 "No group <id>" where the
// id is the route's target (PoliciesService.assign).
import { ApiError } from './client';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The ids the hub's refusal names as gone from `field`.
 *
 * @param error what the save rejected with
 * @param field the request's field that holds the choice ("groupIds", "groupId", "deviceIds")
 * @returns the ids (lower case) that a 400's "<field>: no …" part names; for `field` null, those a
 *   404's "No …" names; empty for anything else
 */
export function goneIdsOf(error: unknown, field: string | null): string[] {
  if (!(error instanceof ApiError)) {
    return [];
  }
  if (field === null) {
    return error.status === 404 && /^no \w+ /i.test(error.message) ? idsIn(error.message) : [];
  }
  if (error.status !== 400) {
    return [];
  }
  const prefix = `${field.toLowerCase()}: no `;
  return error.message
    .split(/;\s+/)
    .filter((part) => part.trim().toLowerCase().startsWith(prefix))
    .flatMap(idsIn);
}

function idsIn(text: string): string[] {
  return (text.match(UUID) ?? []).map((id) => id.toLowerCase());
}

/**
 * The words a form says for the choices it dropped: "Year 4 Oak was deleted meanwhile, so it is
 * no longer ticked.", "Year 4 Oak and Year 5 Ash were deleted meanwhile, so they are no longer
 * ticked."
 *
 * @param names the dropped choices' names as the form showed them (a name it never had: `unnamed`)
 * @param state what the form's choice is called ("ticked", "chosen", "offered")
 */
export function goneWords(names: readonly string[], state: string): string {
  if (names.length === 1) {
    return `${names[0]} was deleted meanwhile, so it is no longer ${state}.`;
  }
  const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${list} were deleted meanwhile, so they are no longer ${state}.`;
}
