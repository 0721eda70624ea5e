// One asset tag, one active device: the tag names a device's stored photos and its trip kit entry,
// so two tablets with "OAK-07" and "oak-07" would be taken for one (migration 1764840000000 gives
// active devices' tags a unique key). The one answer for a tag another device has, wherever a
// device's tag is written: staff's PATCH, an enrolment, the asset register.
import { ConflictException } from '@nestjs/common';
import type { AssetRegisterRefusal } from '@app/hub-api';
import type { DeviceNames } from '../audit/audit-labels';
import { codedConflict } from '../common/coded-refusal';
import { isUniqueViolation } from '../database/unique-violation';

/**
 * The 409 for an asset tag another active device has (compared by `tagKeyOf`, so in any case),
 * naming that device as staff know it: `Asset tag "OAK-07" is already on Oak 07 (serial C02X)`,
 * with `code` `asset_tag_taken` (ASSET_REGISTER_REFUSALS), as the register's own tag refusal.
 *
 * @param tag the tag as given
 * @param holder the active device that has it, when it could be read; otherwise unnamed
 */
export function assetTagTaken(
  tag: string,
  holder: Omit<DeviceNames, 'id'> | null,
): ConflictException {
  const on = holder
    ? `${holder.name?.trim() || 'another device'} (serial ${holder.serialNumber})`
    : 'another device';
  const code: AssetRegisterRefusal = 'asset_tag_taken';
  return codedConflict(
    code,
    `Asset tag "${tag}" is already on ${on}: one asset tag names one device`,
  );
}

/** Whether `error` is the unique key on active devices' asset tags refusing a write. */
export function isAssetTagClash(error: unknown): boolean {
  return isUniqueViolation(error, 'tag_key');
}
