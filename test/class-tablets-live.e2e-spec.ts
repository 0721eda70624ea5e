// Classroom (issue 12): a watched grid follows the class's tablets as they are now. When ICT
// changes a class's named tablets or its group while a teacher has its grid open, or its group's
// members change, the watchers are told (`class.tablets`) so the grid is read again, and the
// tiles of the tablets that joined are sent (`class.tile`). Before, a class's own change was not
// followed at all: the grid kept its old tablets, and a tablet added to the class was never sent.
import type { ClassTabletsEvent } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { as, connectWatcher, setUpClass, TestClass } from './support/classroom';
import { startHub, TestHub } from './support/hub';

describe("classroom: a watched grid follows the class's tablets", () => {
  let hub: TestHub;
  let admin: string;
  let klass: TestClass;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    klass = await setUpClass(hub, admin, 2);
  });
  afterAll(async () => {
    klass.devices.forEach((device) => device.client.close());
    await hub.close();
  });

  async function patchClass(body: object) {
    const response = await hub.http
      .patch(`/api/classes/${klass.classId}`)
      .set('Authorization', as(admin))
      .send(body);
    expect(response.status).toBe(200);
  }

  it("tells the class's watchers when ICT changes its tablets or group, or its group's members", async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 1 });
    const extra = (await enrollTestDevice(hub, token, { name: 'Tablet extra' })).deviceId;
    const watcher = await connectWatcher(hub, klass.teacher.token);
    const told: ClassTabletsEvent[] = [];
    watcher.socket.on('class.tablets', (event: ClassTabletsEvent) => told.push(event));
    try {
      const first = await watcher.watch(klass.classId);
      expect(first.ok && first.tiles.map((tile) => tile.deviceId).sort()).toEqual(
        [...klass.deviceIds].sort(),
      );

      // A tablet named for the class joins the grid: its tile is sent, and the grid is read again.
      await patchClass({ deviceIds: [extra] });
      await waitFor(() => watcher.tiles.has(extra), 'the tile of the tablet that joined');
      await waitFor(() => told.length === 1, 'told that the tablets changed (named device)');
      expect(told[0]).toEqual({ classId: klass.classId });

      // The group taken off: its two tablets leave the grid.
      await patchClass({ groupId: null });
      await waitFor(() => told.length === 2, 'told that the tablets changed (group taken off)');
      const again = await watcher.watch(klass.classId);
      expect(again.ok && again.tiles.map((tile) => tile.deviceId)).toEqual([extra]);

      // The group given back, then one of its members taken out of it.
      await patchClass({ groupId: klass.groupId });
      await waitFor(() => told.length === 3, 'told that the tablets changed (group given back)');
      const removed = await hub.http
        .delete(`/api/groups/${klass.groupId}/members/${klass.deviceIds[0]}`)
        .set('Authorization', as(admin));
      expect(removed.status).toBeLessThan(300);
      await waitFor(() => told.length === 4, "told that the tablets changed (the group's members)");
      const last = await watcher.watch(klass.classId);
      expect(last.ok && last.tiles.map((tile) => tile.deviceId).sort()).toEqual(
        [extra, klass.deviceIds[1]].sort(),
      );

      // A save that changes no tablet says nothing.
      await patchClass({ groupId: klass.groupId, deviceIds: [extra] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(told).toHaveLength(4);
    } finally {
      watcher.socket.close();
    }
  });
});
