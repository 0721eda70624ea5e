// @app/policy: policy as data. The settings schema, how profiles merge, the canonical version
// hash, and the compilers to what a platform installs. No Nest, no HTTP, no database.

export {
  LIMITS,
  PROTECTED_APP_IDS,
  PolicyValidationError,
  SETTING_PATHS,
  diffSettings,
  getSetting,
  validatePartialSettings,
  validateSettings,
  type AppsMode,
  type PartialPolicySettings,
  type PolicySettings,
  type SettingPath,
  type WifiNetwork,
  type WifiSecurity,
} from './settings';
export { canonicalJson, policyVersion } from './version';
export { SCHOOL_BASELINE } from './baseline';
export {
  POLICY_SCOPES,
  resolvePolicy,
  validatePolicyLayer,
  type PolicyLayer,
  type PolicyScope,
  type ResolvedPolicy,
  type SettingDecision,
} from './resolve';
export {
  PolicyVersionMismatchError,
  compileAgentPayload,
  type PolicyApplyPayload,
} from './compile/agent';
export {
  MobileconfigError,
  MobileconfigTextError,
  compileMobileconfig,
  signMobileconfig,
  type MobileconfigOptions,
  type MobileconfigSigner,
} from './compile/mobileconfig';
