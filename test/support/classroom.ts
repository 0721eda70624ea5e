// A class of real test devices for the classroom specs (issue 12): a group of enrolled devices,
// a teacher, a class over the group, and a /staff socket that watches it.
import { io, Socket } from 'socket.io-client';
import type { ClassDto, ClassTile, ClassTileEvent, ClassWatchAck } from '@app/hub-api';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './devices';
import { createStaff, TestHub } from './hub';

export const as = (token: string) => `Bearer ${token}`;

export interface TestClass {
  classId: string;
  groupId: string;
  teacher: { id: string; token: string };
  deviceIds: string[];
  devices: TestDevice[];
}

let classCounter = 0;

/** Enrols `size` devices into a new group, connects them, and makes a class of them for a new teacher. */
export async function setUpClass(
  hub: TestHub,
  admin: string,
  size: number,
  options: {
    connect?: boolean;
    timetable?: { weekday: number; start: string; end: string }[];
  } = {},
): Promise<TestClass> {
  classCounter += 1;
  const group = await hub.http
    .post('/api/groups')
    .set('Authorization', as(admin))
    .send({ name: `Class group ${process.pid}-${classCounter}` });
  if (group.status !== 201) {
    throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
  }
  const groupId = (group.body as { id: string }).id;
  const token = await createEnrollmentToken(hub, admin, { groupIds: [groupId], maxUses: size });
  const identities = [];
  for (let i = 0; i < size; i += 1) {
    identities.push(
      await enrollTestDevice(hub, token, {
        name: `Tablet ${String(i + 1).padStart(2, '0')}`,
        assetTag: `T-${classCounter}-${i + 1}`,
      }),
    );
  }
  const devices = identities.map((identity) =>
    connectTestDevice(identity, { connect: options.connect ?? true }),
  );
  if (options.connect ?? true) {
    await Promise.all(devices.map((device) => waitForConnect(device)));
  }
  const teacher = await createStaff(hub, admin, `teacher${process.pid}x${classCounter}`, [
    'teacher',
  ]);
  const created = await hub.http
    .post('/api/classes')
    .set('Authorization', as(admin))
    .send({
      name: `Year ${classCounter} Oak`,
      teacherIds: [teacher.id],
      groupId,
      ...(options.timetable ? { timetable: options.timetable } : {}),
    });
  if (created.status !== 201) {
    throw new Error(`class: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return {
    classId: (created.body as ClassDto).id,
    groupId,
    teacher,
    deviceIds: identities.map((identity) => identity.deviceId),
    devices,
  };
}

let taughtCounter = 0;

/**
 * Makes a class that `teacherIds` teach over a group and/or named devices (ICT's `POST
 * /api/classes` as `admin`), for specs whose teacher sends commands: a teacher commands only the
 * tablets of the classes they teach. Returns the class's id.
 */
export async function teachClass(
  hub: TestHub,
  admin: string,
  teacherIds: string[],
  tablets: { groupId?: string; deviceIds?: string[] },
): Promise<string> {
  taughtCounter += 1;
  const created = await hub.http
    .post('/api/classes')
    .set('Authorization', as(admin))
    .send({ name: `Taught ${process.pid}-${taughtCounter}`, teacherIds, ...tablets });
  if (created.status !== 201) {
    throw new Error(`class: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return (created.body as ClassDto).id;
}

/** Starts the class's session as `token`; returns the answer's body. */
export async function startSession(
  hub: TestHub,
  token: string,
  classId: string,
  body: object = {},
) {
  const response = await hub.http
    .post(`/api/classes/${classId}/session`)
    .set('Authorization', as(token))
    .send(body);
  if (response.status !== 201) {
    throw new Error(`session: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as { id: string; endsAt: string };
}

export function act(hub: TestHub, token: string, classId: string, body: object) {
  return hub.http
    .post(`/api/classes/${classId}/session/actions`)
    .set('Authorization', as(token))
    .send(body);
}

/** A /staff socket and the tiles it was sent, latest per device. */
export interface ClassWatcher {
  socket: Socket;
  tiles: Map<string, ClassTile>;
  events: ClassTileEvent[];
  watch(classId: string): Promise<ClassWatchAck>;
}

export async function connectWatcher(
  hub: Pick<TestHub, 'url'>,
  token: string,
): Promise<ClassWatcher> {
  const socket = io(`${hub.url}/staff`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const watcher: ClassWatcher = {
    socket,
    tiles: new Map(),
    events: [],
    async watch(classId: string) {
      const answer = (await socket.timeout(10_000).emitWithAck('class.watch', {
        classId,
      })) as ClassWatchAck;
      if (answer.ok) {
        answer.tiles.forEach((tile) => watcher.tiles.set(tile.deviceId, tile));
      }
      return answer;
    },
  };
  socket.on('class.tile', (event: ClassTileEvent) => {
    watcher.events.push(event);
    watcher.tiles.set(event.tile.deviceId, event.tile);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return watcher;
}

/** Waits until every device's enforcer says `locked`. */
export function waitForLocked(devices: readonly TestDevice[], locked: boolean, what: string) {
  return waitFor(
    () => devices.every((device) => device.enforcer.currentState().locked === locked),
    what,
    20_000,
  );
}
