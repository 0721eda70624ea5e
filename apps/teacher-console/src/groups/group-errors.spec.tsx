// Where the group page says a refusal of adding a device (POST /api/groups/:id/members): beside
// the device picker only the hub's 400 about the devices picked; a 404 for the group itself (it
// was deleted meanwhile), or any other error, is the form's, not the device's.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { addDeviceErrorOf } from './group-errors';

/** What POST /api/groups/g1/members rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/groups/g1/members', { method: 'POST', body: {} }, status, body);

describe(addDeviceErrorOf.name, () => {
  it('says a 400 about the devices beside the device picker', async () => {
    const unknown = await refusalFor(400, {
      statusCode: 400,
      message: 'deviceIds: no such devices: 9d0c1f7e-0000-4000-8000-000000000001',
    });
    expect(addDeviceErrorOf(unknown)).toBe(
      'DeviceIds: no such devices: 9d0c1f7e-0000-4000-8000-000000000001.',
    );
  });

  it('says no 404 for the group, nor another error, at the device picker', async () => {
    const noGroup = await refusalFor(404, { statusCode: 404, message: 'No group g1' });
    const forbidden = await refusalFor(403, {
      statusCode: 403,
      message: 'This needs one of the roles: ict',
    });
    expect([addDeviceErrorOf(noGroup), addDeviceErrorOf(forbidden)]).toEqual([null, null]);
  });
});
