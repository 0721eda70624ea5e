// Policy profiles (/api/policies): what a client reads beside the shapes in @app/policy.

/**
 * The `code` of each 409 of POST and PATCH /api/policies that a client tells apart, beside its
 * message in plain words (the console says it at the name field; the words may change):
 * - `name_taken`: another policy has that name (compared ignoring capitals and extra spaces);
 *   the message names it.
 * PATCH's other 409 (someone changed the policy at the same moment) carries no code.
 */
export const POLICY_REFUSALS = ['name_taken'] as const;
export type PolicyRefusal = (typeof POLICY_REFUSALS)[number];
