// Policy profiles (/api/policies): what a client reads beside the shapes in @app/policy.

/**
 * The `code` of each 409 of POST and PATCH /api/policies that a client tells apart, beside its
 * message in plain words (the console says it at the name field; the words may change):
 * - `name_taken`: another policy has that name (compared ignoring capitals and extra spaces);
 *   the message names it.
 * - `changed_meanwhile` (PATCH and the rollback): the policy has a newer revision than the one
 *   the change was made from (PATCH's `revision`), or someone changed it at the same moment;
 *   nothing was saved, and the message names the revision it is at now.
 */
export const POLICY_REFUSALS = ['name_taken', 'changed_meanwhile'] as const;
export type PolicyRefusal = (typeof POLICY_REFUSALS)[number];
