// Which field of a group form a hub error belongs beside: a taken name (409) or a 400 that
// names the field ("name must be …"); anything else is the form's.
import { badRequestFieldsOf } from '../api/bad-request-fields';
import { ApiError } from '../api/client';

export type GroupField = 'name' | 'description';

/** The field the error is about, or null when it is about the form as a whole. */
export function groupFieldOf(error: unknown): GroupField | null {
  if (!(error instanceof ApiError)) {
    return null;
  }
  if (error.status === 409) {
    return 'name';
  }
  return badRequestFieldsOf(error, ['name', 'description'] as const)?.field ?? null;
}

/** The device's name for people: its name, else its serial number. */
export function deviceName(device: { name: string | null; serialNumber: string }): string {
  return device.name ?? device.serialNumber;
}

/**
 * The words for beside the group page's device picker, for an error from adding a device
 * (POST /api/groups/:id/members): only a 400 that starts with `deviceIds` (badRequestFieldsOf:
 * "deviceIds: no such devices: …"). A 404 is the group's own (deleted meanwhile), never the
 * device's; it and anything else are said above the button.
 */
export function addDeviceErrorOf(error: unknown): string | null {
  const refused = badRequestFieldsOf(error, ['deviceIds']);
  return refused?.field ? refused.message : null;
}
