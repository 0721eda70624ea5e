// The lesson's tablets as a grid of tiles (issue 12), one per tablet: its name and asset tag,
// then online, lock, app, battery, a camera allowed by the class, absent, out on a trip and "not
// done yet", each in words with a shape beside it (never colour alone). A tablet that has not yet
// done what was last asked has a dashed, thicker frame and says so, so a teacher sees at a glance
// which ones to wait for. A tile opens a dialog to act on that one tablet or mark it absent.
import type { ClassSessionView, ClassTile } from '@app/hub-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button as AriaButton } from 'react-aria-components';
import { api } from '../api/client';
import { Button, Dialog, ErrorMessage, StatusMessage } from '../ui';
import { AppLockForm, CameraForm, errorOf, MessageForm, useClassAction } from './class-actions';
import { sessionPath } from './class-live';
import {
  acceptedWords,
  appWords,
  batteryWords,
  cameraWords,
  gridSummary,
  lockWords,
  onTripWords,
  pendingWords,
  tileName,
} from './class-words';
import { TileIcon, type TileIconName } from './tile-icons';

export function ClassGrid({ classId, view }: { classId: string; view: ClassSessionView }) {
  const [openId, setOpenId] = useState<string | null>(null);
  const open = view.tiles.find((tile) => tile.deviceId === openId) ?? null;
  const counts = gridSummary(view.tiles);
  const total = view.tiles.length;

  if (total === 0) {
    return (
      <StatusMessage>
        This class has no tablets yet. ICT gives a class its tablets (a group, or devices).
      </StatusMessage>
    );
  }
  return (
    <>
      <ul className="class-summary" aria-label="The class at a glance">
        <li>
          <strong>{counts.online}</strong> of {total} online
        </li>
        <li>
          <strong>{counts.locked}</strong> locked
        </li>
        <li className={counts.pending ? 'class-summary-waiting' : undefined}>
          <strong>{counts.pending}</strong> not done yet
        </li>
        <li>
          <strong>{counts.absent}</strong> absent
        </li>
        {counts.camera > 0 ? (
          <li>
            <strong>{counts.camera}</strong> with the camera allowed
          </li>
        ) : null}
      </ul>
      <ul className="class-tiles" aria-label="Tablets">
        {view.tiles.map((tile) => (
          <li key={tile.deviceId} className="class-tile-item">
            <Tile tile={tile} onOpen={() => setOpenId(tile.deviceId)} />
          </li>
        ))}
      </ul>
      {open ? (
        <TileDialog
          classId={classId}
          tile={open}
          lessonRunning={view.session !== null}
          onClose={() => setOpenId(null)}
        />
      ) : null}
    </>
  );
}

/** One line of a tile: a shape and the words. */
function TileLine({ icon, children }: { icon: TileIconName; children: string }) {
  return (
    <span className={`tile-line tile-line-${icon}`}>
      <TileIcon name={icon} />
      <span>{children}</span>
    </span>
  );
}

function lockIcon(tile: ClassTile): TileIconName {
  return tile.locked === null ? 'unknown' : tile.locked ? 'locked' : 'unlocked';
}

function Tile({ tile, onOpen }: { tile: ClassTile; onOpen: () => void }) {
  const classes = [
    'class-tile',
    tile.online ? 'class-tile-online' : 'class-tile-offline',
    tile.locked ? 'class-tile-locked' : '',
    tile.pending ? 'class-tile-pending' : '',
    tile.absent ? 'class-tile-absent' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <AriaButton className={classes} onPress={onOpen}>
      <span className="tile-head">
        <span className="tile-name">{tileName(tile)}</span>
        {tile.assetTag ? <span className="tile-tag">{tile.assetTag}</span> : null}
      </span>
      <TileLine icon={tile.online ? 'online' : 'offline'}>
        {tile.online ? 'Online' : 'Offline'}
      </TileLine>
      <TileLine icon={lockIcon(tile)}>{lockWords(tile)}</TileLine>
      <TileLine icon="app">{appWords(tile)}</TileLine>
      <TileLine icon="battery">{batteryWords(tile)}</TileLine>
      {cameraWords(tile) ? <TileLine icon="camera">{cameraWords(tile) as string}</TileLine> : null}
      {tile.absent ? <TileLine icon="absent">Absent</TileLine> : null}
      {onTripWords(tile) ? <TileLine icon="trip">{onTripWords(tile) as string}</TileLine> : null}
      <TileLine icon={tile.pending ? 'waiting' : 'done'}>{pendingWords(tile)}</TileLine>
    </AriaButton>
  );
}

/** One tablet: its state, the class's actions for it alone, and "Mark absent"/"Mark present". */
function TileDialog({
  classId,
  tile,
  lessonRunning,
  onClose,
}: {
  classId: string;
  tile: ClassTile;
  lessonRunning: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const action = useClassAction(classId);
  const [done, setDone] = useState<string | null>(null);
  const name = tileName(tile);
  const deviceIds = [tile.deviceId];
  const send = (body: Parameters<typeof action.mutate>[0]) => {
    setDone(null);
    action.mutate(body, { onSuccess: (accepted) => setDone(acceptedWords(body.action, accepted)) });
  };
  const absent = useMutation({
    mutationFn: (next: boolean) =>
      api<ClassSessionView>(`${sessionPath(classId)}/absent`, {
        method: 'PUT',
        body: { deviceIds, absent: next },
      }),
    onSuccess: (view, next) => {
      queryClient.setQueryData([sessionPath(classId)], view);
      setDone(next ? `${name} is marked absent.` : `${name} is marked present.`);
    },
  });
  const busy = (kind: string) => action.isPending && action.variables?.action === kind;

  return (
    <Dialog
      title={name}
      isOpen
      onOpenChange={(isOpen) => {
        if (!isOpen) {
          onClose();
        }
      }}
    >
      {(close) => (
        <div className="tile-dialog">
          <ul className="tile-facts" aria-label={`${name} now`}>
            {tile.assetTag ? <li>Asset tag {tile.assetTag}</li> : null}
            <li>
              <TileLine icon={tile.online ? 'online' : 'offline'}>
                {tile.online ? 'Online' : 'Offline'}
              </TileLine>
            </li>
            <li>
              <TileLine icon={lockIcon(tile)}>{lockWords(tile)}</TileLine>
            </li>
            <li>
              <TileLine icon="app">{appWords(tile)}</TileLine>
            </li>
            <li>
              <TileLine icon="battery">{batteryWords(tile)}</TileLine>
            </li>
            <li>
              <TileLine icon="camera">{cameraWords(tile) ?? 'Camera as its policy says'}</TileLine>
            </li>
            <li>
              <TileLine icon={tile.absent ? 'absent' : 'done'}>
                {tile.absent ? 'Marked absent' : 'Present'}
              </TileLine>
            </li>
            {onTripWords(tile) ? (
              <li>
                <TileLine icon="trip">{onTripWords(tile) as string}</TileLine>
              </li>
            ) : null}
            <li>
              <TileLine icon={tile.pending ? 'waiting' : 'done'}>
                {tile.pending ? 'Has not yet done what was asked' : 'Has done what was asked'}
              </TileLine>
            </li>
          </ul>
          {tile.lockOwner === 'admin' || tile.lockOwner === 'lost' ? (
            <p className="tile-note">
              {tile.lockOwner === 'lost' ? 'It is reported lost' : 'ICT has locked it'}: the class
              cannot unlock it.
            </p>
          ) : null}
          {!lessonRunning ? (
            <StatusMessage>Start the lesson to act on this tablet.</StatusMessage>
          ) : (
            <>
              <div className="class-action-buttons" role="group" aria-label={`Act on ${name}`}>
                <Button
                  variant="primary"
                  onPress={() => send({ action: 'lock', deviceIds })}
                  isPending={busy('lock')}
                >
                  Lock
                </Button>
                <Button
                  onPress={() => send({ action: 'unlock', deviceIds })}
                  isPending={busy('unlock')}
                >
                  Unlock
                </Button>
                <Button onPress={() => absent.mutate(!tile.absent)} isPending={absent.isPending}>
                  {tile.absent ? 'Mark present' : 'Mark absent'}
                </Button>
              </div>
              {done ? <StatusMessage>{done}</StatusMessage> : null}
              <ErrorMessage error={absent.error} title="Could not mark it." />
              <ErrorMessage
                error={errorOf(action, ['lock', 'unlock'])}
                title="Could not send that."
              />
              <details className="tile-more">
                <summary>Keep in app</summary>
                <AppLockForm action={action} onSend={send} deviceIds={deviceIds} who={name} />
              </details>
              <details className="tile-more">
                <summary>Send message</summary>
                <MessageForm action={action} onSend={send} deviceIds={deviceIds} />
              </details>
              <details className="tile-more">
                <summary>Allow camera</summary>
                <CameraForm action={action} onSend={send} deviceIds={deviceIds} />
              </details>
            </>
          )}
          <div className="dialog-actions">
            <Button onPress={close}>Close</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
