// The demo school's trip (issue 13): five of Year 4 Oak's simulated iPads become assets OAK-01 to
// OAK-05 (their serial numbers match the enrolled tablets) and the kit of "Year 4 museum visit",
// led by the demo's trip leader. The kit is checked out (the tablets get the trip's overlay, the
// camera allowed) and two are already checked back in, so the trip page shows devices back and
// devices still out.
import type { Asset, Device, Page, StaffAccount, Trip } from '@app/hub-api';
import type { HubClient } from './hub-client';

export const DEMO_TRIP = { name: 'Year 4 museum visit', shortName: 'y4-museum' } as const;
const KIT_SIZE = 5;
const BACK_ALREADY = 2;
const HOUR_MS = 3_600_000;

/**
 * Makes the trip for `leaderUsername` with the tablets "Oak 01" to "Oak 05" as its kit, checks it
 * out, runs `whileOut` with the trip as checked out (the photos its tablets take: a photo is the
 * trip's only while its tablet is out with it), and checks the first two back in.
 *
 * @throws HubRequestError when the hub refuses a step; what `whileOut` throws
 */
export async function addTrip(
  admin: HubClient,
  leaderUsername: string,
  log: (line: string) => void,
  whileOut: (trip: Trip) => Promise<unknown> = async () => undefined,
): Promise<Trip> {
  const tablets = await admin.get<Page<Device>>('/api/devices?platform=ipados&pageSize=100');
  const kit = tablets.items
    .filter((device) => device.name && /^Oak 0[1-5]$/.test(device.name))
    .sort((a, b) => (a.name as string).localeCompare(b.name as string))
    .slice(0, KIT_SIZE);
  const tags: string[] = [];
  for (const device of kit) {
    const asset = await admin.post<Asset>('/api/assets', {
      assetTag: `OAK-${(device.name as string).slice(-2)}`,
      kind: 'tablet',
      serialNumber: device.serialNumber,
      model: 'iPad (simulated)',
      condition: 'Good',
    });
    tags.push(asset.assetTag);
  }
  const staff = await admin.get<Page<StaffAccount>>('/api/staff?pageSize=100');
  const leader = staff.items.find((account) => account.username === leaderUsername);
  if (!leader) {
    throw new Error(`no account ${leaderUsername} to lead the trip`);
  }
  const now = Date.now();
  const trip = await admin.post<Trip>('/api/trips', {
    ...DEMO_TRIP,
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + 8 * HOUR_MS).toISOString(),
    leaderIds: [leader.id],
    assetTags: tags,
  });
  let latest = await admin.post<Trip>(`/api/trips/${trip.id}/check-out`, {});
  await whileOut(latest);
  for (const assetTag of tags.slice(0, BACK_ALREADY)) {
    latest = await admin.post<Trip>(`/api/trips/${trip.id}/check-in`, { assetTag });
  }
  log(`trip "${DEMO_TRIP.name}": kit of ${tags.length} tablets out, ${BACK_ALREADY} back`);
  return latest;
}
