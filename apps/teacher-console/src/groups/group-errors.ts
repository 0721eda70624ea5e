// Which field of a group form a hub error belongs beside: a taken name (409) or a 400 that
// names the field ("name must be …"); anything else is the form's.
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
  if (error.status === 400) {
    const match = /^(name|description)\b/i.exec(error.message);
    return match ? (match[1].toLowerCase() as GroupField) : null;
  }
  return null;
}

/** The device's name for people: its name, else its serial number. */
export function deviceName(device: { name: string | null; serialNumber: string }): string {
  return device.name ?? device.serialNumber;
}
