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
export {
  PARTIAL_POLICY_SETTINGS_SCHEMA,
  POLICY_SETTINGS_SCHEMA,
  schemaSettingPaths,
} from './settings-schema';
export { canonicalJson, policyVersion } from './version';
export { SCHOOL_BASELINE } from './baseline';
export {
  LINUX_ENFORCER_NAMES,
  PLATFORM_SUPPORT,
  settingRestricts,
  type LinuxEnforcerName,
  type SettingSupport,
  type Support,
} from './platforms';
export { renderPlatformDoc } from './platforms-doc';
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
  compileTrustProfile,
  signMobileconfig,
  type MobileconfigOptions,
  type MobileconfigSigner,
  type TrustProfileOptions,
} from './compile/mobileconfig';
