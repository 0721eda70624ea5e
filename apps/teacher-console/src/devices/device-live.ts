// Live updates for the device screens: /staff events written straight into the TanStack Query
// caches the screens read (keyed by API path), so a row or a status changes without a reload.
// A device or command the cache does not hold yet (one just enrolled, a command someone else
// sent) makes the affected list fetch again, at most once every REFETCH_GAP_MS however many
// events arrive (a school's morning: thousands of devices connecting).
import {
  writeLive,
  type Device,
  type DeviceCommand,
  type DeviceDetail,
  type Page,
} from '@app/hub-api';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useStaffEvent } from '../api/staff-socket';

/** The list's path; its query keys are `[DEVICES_PATH, filters]`. */
export const DEVICES_PATH = '/api/devices';
export const devicePath = (deviceId: string) => `/api/devices/${deviceId}`;
export const commandsPath = (deviceId: string) => `/api/devices/${deviceId}/commands`;
export const policyPath = (deviceId: string) => `/api/devices/${deviceId}/policy`;

/** The shortest time between two refetches that live events cause. */
const REFETCH_GAP_MS = 2_000;

/** Returns `refetch(key)`: invalidates `key` now, or once the gap since the last one has passed. */
function useCoalescedInvalidate(): (key: QueryKey) => void {
  const queryClient = useQueryClient();
  const timers = useRef(new Map<string, { last: number; timer: number | null }>());
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((entry) => entry.timer !== null && clearTimeout(entry.timer));
  }, []);
  return (key) => {
    const id = JSON.stringify(key);
    const entry = timers.current.get(id) ?? { last: 0, timer: null };
    timers.current.set(id, entry);
    if (entry.timer !== null) {
      return;
    }
    const wait = Math.max(0, entry.last + REFETCH_GAP_MS - Date.now());
    entry.timer = window.setTimeout(() => {
      entry.timer = null;
      entry.last = Date.now();
      void queryClient.invalidateQueries({ queryKey: key });
    }, wait);
  };
}

/** The later of two ISO 8601 times (either may be missing). */
function later(a: string | null, b: string): string {
  return a !== null && a > b ? a : b;
}

/**
 * Keeps every cached page of the device list true to `device.presence`: a listed device's
 * online state and last-seen time change in place; a device not on a cached page (just
 * enrolled), or one that no longer fits an online filter, makes the list fetch again. Each
 * report a device sends (`device.state`) moves its last-seen time too, as the hub records it
 * (the device's own page reads it again on the same event).
 */
export function useLiveDeviceList(): void {
  const queryClient = useQueryClient();
  const refetch = useCoalescedInvalidate();
  useStaffEvent('device.state', (event) => {
    const pages = queryClient.getQueriesData<Page<Device>>({ queryKey: [DEVICES_PATH] });
    for (const [key, page] of pages) {
      if (!page?.items.some((device) => device.id === event.deviceId)) {
        continue;
      }
      writeLive<Page<Device>>(queryClient, key, {
        ...page,
        items: page.items.map((device) =>
          device.id === event.deviceId
            ? { ...device, lastSeenAt: later(device.lastSeenAt, event.at) }
            : device,
        ),
      });
    }
  });
  useStaffEvent('device.presence', (event) => {
    const pages = queryClient.getQueriesData<Page<Device>>({ queryKey: [DEVICES_PATH] });
    let listed = false;
    for (const [key, page] of pages) {
      if (!page?.items.some((device) => device.id === event.deviceId)) {
        continue;
      }
      listed = true;
      writeLive<Page<Device>>(queryClient, key, {
        ...page,
        items: page.items.map((device) =>
          device.id === event.deviceId
            ? { ...device, online: event.online, lastSeenAt: event.lastSeenAt }
            : device,
        ),
      });
      const filter = key[1] as { online?: string } | undefined;
      if (filter?.online !== undefined && filter.online !== String(event.online)) {
        refetch([DEVICES_PATH]);
      }
    }
    if (!listed) {
      refetch([DEVICES_PATH]);
    }
  });
}

/**
 * Keeps one device's detail, commands and policy true to the live events: presence and reported
 * state in place; a command's status in place (a command not yet on the page, or one that
 * changes what the device should be, fetches again).
 */
export function useLiveDevice(deviceId: string): void {
  const queryClient = useQueryClient();
  const refetch = useCoalescedInvalidate();
  const updateDevice = (change: (device: DeviceDetail) => DeviceDetail) =>
    writeLive<DeviceDetail>(queryClient, [devicePath(deviceId)], (device) =>
      device ? change(device) : device,
    );

  useStaffEvent('device.presence', (event) => {
    if (event.deviceId === deviceId) {
      updateDevice((device) => ({ ...device, online: event.online, lastSeenAt: event.lastSeenAt }));
    }
  });
  useStaffEvent('device.state', (event) => {
    if (event.deviceId === deviceId) {
      updateDevice((device) => ({
        ...device,
        reportedState: { ...device.reportedState, ...event.state },
        reportedAt: event.at,
      }));
      // The device's policy version may now match (or not): its compliance is the hub's to say.
      refetch([devicePath(deviceId)]);
    }
  });
  useStaffEvent('command.updated', (event) => {
    if (event.deviceId !== deviceId) {
      return;
    }
    let listed = false;
    const pages = queryClient.getQueriesData<Page<DeviceCommand>>({
      queryKey: [commandsPath(deviceId)],
    });
    for (const [key, page] of pages) {
      if (!page?.items.some((command) => command.id === event.commandId)) {
        continue;
      }
      listed = true;
      writeLive<Page<DeviceCommand>>(queryClient, key, {
        ...page,
        items: page.items.map((command) =>
          command.id === event.commandId
            ? { ...command, status: event.status, detail: event.detail ?? command.detail }
            : command,
        ),
      });
    }
    if (!listed) {
      refetch([commandsPath(deviceId)]);
    }
    // A new command (a teacher's lock) or an answered policy changes what the detail shows.
    if (!listed || event.type === 'policy.apply') {
      refetch([devicePath(deviceId)]);
    }
  });
}
