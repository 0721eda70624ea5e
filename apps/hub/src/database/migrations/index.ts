// Every migration, in order. Add new ones at the end; never edit one that has landed.
import { CreateStaffAndAudit1764000000000 } from './1764000000000-CreateStaffAndAudit';
import { AddDevicesEnrollmentAndCommands1764100000000 } from './1764100000000-AddDevicesEnrollmentAndCommands';
import { AddPolicies1764200000000 } from './1764200000000-AddPolicies';
import { IndexOpenCommands1764300000000 } from './1764300000000-IndexOpenCommands';
import { AddAupRepublishingAndStaffCleanupIndexes1764400000000 } from './1764400000000-AddAupRepublishingAndStaffCleanupIndexes';
import { AddLockOwnersToDesiredState1764500000000 } from './1764500000000-AddLockOwnersToDesiredState';
import { AddReenrolmentTokens1764600000000 } from './1764600000000-AddReenrolmentTokens';
import { AddPolicyUnenforced1764700000000 } from './1764700000000-AddPolicyUnenforced';
import { AddAuditNames1764710000000 } from './1764710000000-AddAuditNames';
import { AddHubLiveness1764740000000 } from './1764740000000-AddHubLiveness';
import { AddCommandClaimsAndHubLeases1764750000000 } from './1764750000000-AddCommandClaimsAndHubLeases';
import { AddHubIdentity1764760000000 } from './1764760000000-AddHubIdentity';
import { AddClassesAndPolicyOverlays1764770000000 } from './1764770000000-AddClassesAndPolicyOverlays';
import { AddAssetsLoansAndTrips1764780000000 } from './1764780000000-AddAssetsLoansAndTrips';
import { AddPhotos1764790000000 } from './1764790000000-AddPhotos';
import { UniquePolicyAssignments1764810000000 } from './1764810000000-UniquePolicyAssignments';
import { UniqueAssetSerialNumbers1764820000000 } from './1764820000000-UniqueAssetSerialNumbers';
import { AddClassSessionDevices1764830000000 } from './1764830000000-AddClassSessionDevices';
import { UniqueNamesAndTags1764840000000 } from './1764840000000-UniqueNamesAndTags';
import { NameKeysAsRead1764850000000 } from './1764850000000-NameKeysAsRead';
import { SerialNumbersAsOne1764860000000 } from './1764860000000-SerialNumbersAsOne';
import { LockLostDevicesLeftUnlocked1764875000000 } from './1764875000000-LockLostDevicesLeftUnlocked';
import { AddPolicyConflict1764880000000 } from './1764880000000-AddPolicyConflict';
import { AddTripKitPeriods1764890000000 } from './1764890000000-AddTripKitPeriods';
import { AddNameSearchKeys1764900000000 } from './1764900000000-AddNameSearchKeys';
import { AddAssetSearchKeys1764910000000 } from './1764910000000-AddAssetSearchKeys';
import { AddNameSortKeys1764920000000 } from './1764920000000-AddNameSortKeys';

export const MIGRATIONS = [
  CreateStaffAndAudit1764000000000,
  AddDevicesEnrollmentAndCommands1764100000000,
  AddPolicies1764200000000,
  IndexOpenCommands1764300000000,
  AddAupRepublishingAndStaffCleanupIndexes1764400000000,
  AddLockOwnersToDesiredState1764500000000,
  AddReenrolmentTokens1764600000000,
  AddPolicyUnenforced1764700000000,
  AddAuditNames1764710000000,
  AddHubLiveness1764740000000,
  AddCommandClaimsAndHubLeases1764750000000,
  AddHubIdentity1764760000000,
  AddClassesAndPolicyOverlays1764770000000,
  AddAssetsLoansAndTrips1764780000000,
  AddPhotos1764790000000,
  UniquePolicyAssignments1764810000000,
  UniqueAssetSerialNumbers1764820000000,
  AddClassSessionDevices1764830000000,
  UniqueNamesAndTags1764840000000,
  NameKeysAsRead1764850000000,
  SerialNumbersAsOne1764860000000,
  LockLostDevicesLeftUnlocked1764875000000,
  AddPolicyConflict1764880000000,
  AddTripKitPeriods1764890000000,
  AddNameSearchKeys1764900000000,
  AddAssetSearchKeys1764910000000,
  AddNameSortKeys1764920000000,
];
