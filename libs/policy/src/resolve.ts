// How profiles combine into the one policy a device runs: per setting, the narrowest profile wins
// unless a wider one enforces it. The result never depends on the order the layers arrive in.

import { SCHOOL_BASELINE } from './baseline';
import {
  PolicyValidationError,
  SETTING_PATHS,
  getSetting,
  splitPath,
  validatePartialSettings,
  validateSettings,
  type PartialPolicySettings,
  type PolicySettings,
  type SettingPath,
} from './settings';
import { policyVersion } from './version';

export type PolicyScope = 'baseline' | 'group' | 'device' | 'overlay';

export interface PolicyLayer {
  id: string;
  name: string;
  scope: PolicyScope;
  priority: number;
  settings: PartialPolicySettings;
  /** Leaves this layer sets and that no narrower scope may change. */
  enforced: SettingPath[];
}

export interface SettingDecision {
  layerId: string | null;
  name: string;
  scope: PolicyScope | 'default';
}

export interface ResolvedPolicy {
  settings: PolicySettings;
  version: string;
  decidedBy: Record<SettingPath, SettingDecision>;
}

/** From wide to narrow. */
export const POLICY_SCOPES: readonly PolicyScope[] = Object.freeze([
  'baseline',
  'group',
  'device',
  'overlay',
]);

const SCOPE_RANK: Record<PolicyScope, number> = { baseline: 0, group: 1, device: 2, overlay: 3 };

const DEFAULT_DECISION: SettingDecision = Object.freeze({
  layerId: null,
  name: 'built-in default',
  scope: 'default',
});

/**
 * Resolves every leaf setting:
 * - if a layer that sets the leaf enforces it, the widest scope with such a layer wins, and in it
 *   the enforced layer with the highest priority;
 * - otherwise the narrowest scope that sets the leaf wins, and in it the highest priority;
 * - equal priorities are settled by layer id, lowest first (plain code-unit order, not locale);
 * - a leaf that no layer sets comes from `defaults`.
 * Layers and defaults are validated first, and the merged result is validated again, because
 * leaves taken from different layers can be valid alone and contradict each other together.
 */
export function resolvePolicy(
  layers: readonly PolicyLayer[],
  defaults: PolicySettings = SCHOOL_BASELINE,
): ResolvedPolicy {
  const checked = validateLayers(layers);
  const fallback = validateSettings(defaults);

  const merged: Record<string, Record<string, unknown>> = {};
  const decidedBy = {} as Record<SettingPath, SettingDecision>;
  for (const path of SETTING_PATHS) {
    const [group, key] = splitPath(path);
    const setters = checked.filter((layer) => getSetting(layer.settings, path) !== undefined);
    const enforcers = setters.filter((layer) => layer.enforced.includes(path));
    const winner =
      enforcers.length > 0
        ? best(enforcers, (a, b) => SCOPE_RANK[b.scope] - SCOPE_RANK[a.scope])
        : setters.length > 0
          ? best(setters, (a, b) => SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope])
          : null;
    merged[group] ??= {};
    if (winner === null) {
      merged[group][key] = getSetting(fallback, path);
      decidedBy[path] = { ...DEFAULT_DECISION };
    } else {
      merged[group][key] = getSetting(winner.settings, path);
      decidedBy[path] = { layerId: winner.id, name: winner.name, scope: winner.scope };
    }
  }

  let settings: PolicySettings;
  try {
    settings = validateSettings(merged);
  } catch (error) {
    throw explainConflict(error, decidedBy);
  }
  return { settings, version: policyVersion(settings), decidedBy };
}

/** Checks one layer as a whole (for example before a profile is saved) and returns a copy. */
export function validatePolicyLayer(input: unknown): PolicyLayer {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PolicyValidationError('layer', 'a policy layer must be an object');
  }
  const layer = input as Record<string, unknown>;
  const rawId = layer.id;
  if (typeof rawId !== 'string' || rawId.length === 0) {
    throw new PolicyValidationError('id', 'a policy layer needs a non-empty string id');
  }
  const id = rawId;
  const reject = (field: string, message: string): never => {
    throw new PolicyValidationError(field, `policy layer ${id}: ${message}`, id);
  };
  for (const key of Object.keys(layer)) {
    if (!['id', 'name', 'scope', 'priority', 'settings', 'enforced'].includes(key)) {
      reject(key, `${key} is not a known layer property`);
    }
  }
  if (typeof layer.name !== 'string') {
    reject('name', 'name must be a string');
  }
  if (typeof layer.scope !== 'string' || !POLICY_SCOPES.includes(layer.scope as PolicyScope)) {
    reject('scope', `scope must be one of ${POLICY_SCOPES.join(', ')}`);
  }
  if (typeof layer.priority !== 'number' || !Number.isFinite(layer.priority)) {
    reject('priority', 'priority must be a finite number');
  }
  let settings: PartialPolicySettings;
  try {
    settings = validatePartialSettings(layer.settings);
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      return reject(error.field, error.message);
    }
    throw error;
  }
  if (!Array.isArray(layer.enforced)) {
    return reject('enforced', 'enforced must be an array of setting paths');
  }
  const enforced = layer.enforced as unknown[];
  enforced.forEach((path, index) => {
    const field = `enforced[${index}]`;
    if (typeof path !== 'string' || !(SETTING_PATHS as readonly string[]).includes(path)) {
      reject(field, `${field} is not a known setting path`);
    }
    if (getSetting(settings, path as SettingPath) === undefined) {
      reject(field, `${field} enforces ${String(path)}, which this layer does not set`);
    }
    if (enforced.indexOf(path) !== index) {
      reject(field, `${field} lists ${String(path)} twice`);
    }
  });
  return {
    id,
    name: layer.name as string,
    scope: layer.scope as PolicyScope,
    priority: layer.priority as number,
    settings,
    enforced: [...(enforced as SettingPath[])],
  };
}

function validateLayers(layers: readonly PolicyLayer[]): PolicyLayer[] {
  const checked = layers.map((layer) => validatePolicyLayer(layer));
  const seen = new Set<string>();
  for (const layer of checked) {
    if (seen.has(layer.id)) {
      throw new PolicyValidationError(
        'id',
        `policy layer id ${layer.id} appears twice; ids settle ties and must be unique`,
        layer.id,
      );
    }
    seen.add(layer.id);
  }
  return checked;
}

// The single best layer: first by scope (as `byScope` orders them), then highest priority, then
// lowest id. A total order, so the answer is the same whatever order the candidates come in.
function best(
  candidates: PolicyLayer[],
  byScope: (a: PolicyLayer, b: PolicyLayer) => number,
): PolicyLayer {
  return candidates.reduce((winner, layer) => {
    const scope = byScope(layer, winner);
    if (scope !== 0) {
      return scope > 0 ? layer : winner;
    }
    if (layer.priority !== winner.priority) {
      return layer.priority > winner.priority ? layer : winner;
    }
    return layer.id < winner.id ? layer : winner;
  });
}

// A merged policy that fails validation failed because of where its leaves came from: say which
// layer decided the leaf at fault, so the fix can be made in the right profile.
function explainConflict(error: unknown, decidedBy: Record<SettingPath, SettingDecision>): unknown {
  if (!(error instanceof PolicyValidationError)) {
    return error;
  }
  const path = SETTING_PATHS.find(
    (candidate) =>
      error.field === candidate ||
      error.field.startsWith(`${candidate}[`) ||
      error.field.startsWith(`${candidate}.`),
  );
  const decision = path === undefined ? undefined : decidedBy[path];
  const source = decision === undefined ? '' : ` (${path} comes from ${describe(decision)})`;
  return new PolicyValidationError(
    error.field,
    `the combined policy is not valid: ${error.message}${source}`,
    decision?.layerId ?? undefined,
  );
}

function describe(decision: SettingDecision): string {
  return decision.layerId === null
    ? decision.name
    : `${decision.scope} layer "${decision.name}" (${decision.layerId})`;
}
