// What ICT can do to one device from its detail page: lock (with a reason and an optional
// message), unlock, send a message, give it a name and an asset tag, download its signed
// .mobileconfig (Apple devices), revoke.
// Each sends one request to the hub; the hub's refusal is shown beside the button or field that
// caused it, in its own words.
import { ASSET_REGISTER_REFUSALS, type DeviceCommand, type DeviceDetail } from '@app/hub-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { badRequestPlacesOf } from '../api/bad-request-fields';
import { api, ApiError, conflictCodeOf } from '../api/client';
import { useSession } from '../auth/session';
import { Button, ConfirmDialog, Dialog, ErrorMessage, Select, TextField } from '../ui';
import { commandsPath, DEVICES_PATH, devicePath, policyPath } from './device-live';
import { commandErrorsOf, deviceLabel, isApple, LOCK_REASON_WORDS } from './device-words';

/** LOCK_MESSAGE_MAX_LENGTH, MESSAGE_TEXT_MAX_LENGTH (protocol.ts). */
const LOCK_MESSAGE_MAX = 200;
const MESSAGE_TEXT_MAX = 500;
/** UpdateDeviceDto: a name of at most 128 characters, an asset tag of at most 64. */
const NAME_MAX = 128;
const ASSET_TAG_MAX = 64;

/** Sends a command to the device; afterwards its detail and command list are read again. */
function useIssueCommand(deviceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (command: { type: string; payload?: Record<string, unknown> }) =>
      api<DeviceCommand>(commandsPath(deviceId), { method: 'POST', body: command }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: [commandsPath(deviceId)] }),
        queryClient.invalidateQueries({ queryKey: [devicePath(deviceId)] }),
      ]),
  });
}

export function DeviceActions({ device }: { device: DeviceDetail }) {
  const queryClient = useQueryClient();
  const unlock = useIssueCommand(device.id);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const { token } = useSession();
  const revoked = device.status === 'revoked';

  const downloadProfile = async () => {
    setDownloadError(null);
    try {
      await saveProfile(device, token);
    } catch (error) {
      setDownloadError(error);
    }
  };

  return (
    <div className="device-actions">
      <div className="device-action-buttons">
        <LockDialog device={device} isDisabled={revoked} />
        <Button
          onPress={() => unlock.mutate({ type: 'device.unlock', payload: {} })}
          isPending={unlock.isPending}
          isDisabled={revoked}
        >
          Unlock
        </Button>
        <MessageDialog device={device} isDisabled={revoked} />
        <NameDialog device={device} isDisabled={revoked} />
        {isApple(device) ? (
          <Button onPress={() => void downloadProfile()} isDisabled={revoked}>
            Download .mobileconfig
          </Button>
        ) : null}
        <ConfirmDialog
          triggerLabel="Revoke"
          title={`Revoke ${deviceLabel(device)}?`}
          confirmLabel="Revoke device"
          isDisabled={revoked}
          onConfirm={async () => {
            await api(devicePath(device.id), { method: 'DELETE' });
            await Promise.all([
              queryClient.invalidateQueries({ queryKey: [devicePath(device.id)] }),
              queryClient.invalidateQueries({ queryKey: [commandsPath(device.id)] }),
              queryClient.invalidateQueries({ queryKey: [policyPath(device.id)] }),
              queryClient.invalidateQueries({ queryKey: [DEVICES_PATH] }),
            ]);
          }}
        >
          <p>
            Its certificate stops working at once and its waiting commands are cancelled. It cannot
            connect again until it is enrolled again with a new token.
          </p>
        </ConfirmDialog>
      </div>
      {revoked ? <p className="status-message">This device is revoked.</p> : null}
      <ErrorMessage error={unlock.error} title="Could not unlock." />
      <ErrorMessage error={downloadError} title="Could not download the profile." />
    </div>
  );
}

function LockDialog({ device, isDisabled }: { device: DeviceDetail; isDisabled: boolean }) {
  const lock = useIssueCommand(device.id);
  const [isOpen, setOpen] = useState(false);
  const [reason, setReason] = useState('admin');
  const [message, setMessage] = useState('');
  const lockErrors = commandErrorsOf(lock.error, 'message');
  const messageError = lockErrors.atField;
  return (
    <Dialog
      title={`Lock ${deviceLabel(device)}`}
      isOpen={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        lock.reset();
      }}
      trigger={
        <Button variant="primary" isDisabled={isDisabled}>
          Lock
        </Button>
      }
    >
      {(close) => (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            const text = message.trim();
            lock.mutate(
              { type: 'device.lock', payload: { reason, ...(text ? { message: text } : {}) } },
              { onSuccess: () => setOpen(false) },
            );
          }}
        >
          <Select
            label="Reason"
            value={reason}
            onChange={setReason}
            options={Object.entries(LOCK_REASON_WORDS).map(([value, label]) => ({
              value,
              label,
            }))}
            description="Held by ICT and Lost can only be lifted by ICT."
          />
          <TextField
            label="Message on the screen (optional)"
            value={message}
            onChange={setMessage}
            maxLength={LOCK_MESSAGE_MAX}
            errorMessage={messageError}
          />
          <ErrorMessage error={lock.error} message={lockErrors.form} title="Could not lock." />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={lock.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" isPending={lock.isPending}>
              Lock device
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function MessageDialog({ device, isDisabled }: { device: DeviceDetail; isDisabled: boolean }) {
  const send = useIssueCommand(device.id);
  const { user } = useSession();
  const [isOpen, setOpen] = useState(false);
  const [text, setText] = useState('');
  // Said here rather than sent: the hub's words name the protocol's field (payload.text).
  const [isBlank, setBlank] = useState(false);
  const sendErrors = commandErrorsOf(send.error, 'text');
  const textError = isBlank ? 'Type the message to show.' : sendErrors.atField;
  return (
    <Dialog
      title={`Send a message to ${deviceLabel(device)}`}
      isOpen={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        setBlank(false);
        send.reset();
      }}
      trigger={<Button isDisabled={isDisabled}>Send message</Button>}
    >
      {(close) => (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            setBlank(text.trim() === '');
            if (text.trim() === '') {
              return;
            }
            // The hub names the sender itself: whoever is signed in.
            send.mutate(
              { type: 'message.show', payload: { text: text.trim() } },
              {
                onSuccess: () => {
                  setText('');
                  setOpen(false);
                },
              },
            );
          }}
        >
          <TextField
            label="Message"
            description={`The device shows it as from you, ${user?.displayName ?? 'who is signed in'}.`}
            value={text}
            onChange={setText}
            maxLength={MESSAGE_TEXT_MAX}
            isRequired
            errorMessage={textError}
          />
          {isBlank ? null : (
            <ErrorMessage
              error={send.error}
              message={sendErrors.form}
              title="Could not send the message."
            />
          )}
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={send.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" isPending={send.isPending}>
              Send
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The fields of PATCH /api/devices/:id that the name dialog shows a 400 beside. */
const NAME_FIELDS = ['name', 'assetTag'] as const;

/**
 * "Name and asset tag": ICT names a device as the school knows it ("Oak 07") and gives it the
 * asset tag on its label (PATCH /api/devices/:id, only what changed). The hub's words go beside
 * the field they are about: a 400 by the field it names first, a tag another device has (409
 * `asset_tag_taken`, naming that device) beside the tag.
 */
function NameDialog({ device, isDisabled }: { device: DeviceDetail; isDisabled: boolean }) {
  const queryClient = useQueryClient();
  const [isOpen, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [assetTag, setAssetTag] = useState('');
  const [problems, setProblems] = useState<{ name?: string; assetTag?: string }>({});
  const save = useMutation({
    mutationFn: (body: { name?: string; assetTag?: string }) =>
      api(devicePath(device.id), { method: 'PATCH', body }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: [devicePath(device.id)] }),
        queryClient.invalidateQueries({ queryKey: [DEVICES_PATH] }),
      ]),
  });
  const placed = badRequestPlacesOf(save.error, NAME_FIELDS);
  const tagTaken =
    conflictCodeOf(save.error, ASSET_REGISTER_REFUSALS) === 'asset_tag_taken'
      ? (save.error as ApiError).message
      : null;
  const nameError = problems.name ?? placed?.byField.name;
  const tagError = problems.assetTag ?? placed?.byField.assetTag ?? tagTaken;
  const formError = placed ? placed.form : tagTaken ? null : undefined;
  return (
    <Dialog
      title={`Name and asset tag of ${deviceLabel(device)}`}
      isOpen={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        setName(device.name ?? '');
        setAssetTag(device.assetTag ?? '');
        setProblems({});
        save.reset();
      }}
      trigger={<Button isDisabled={isDisabled}>Name and asset tag</Button>}
    >
      {(close) => (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            const newName = name.trim();
            const newTag = assetTag.trim();
            const found: { name?: string; assetTag?: string } = {};
            if (newName === '' && device.name) {
              found.name = 'Type a name: a device that has one cannot be left without.';
            }
            if (newTag === '' && device.assetTag) {
              found.assetTag =
                'Type an asset tag: one can be changed here but not taken off, as its photos and ' +
                'trips are named by it.';
            }
            setProblems(found);
            if (Object.keys(found).length > 0) {
              return;
            }
            const body = {
              ...(newName !== '' && newName !== device.name ? { name: newName } : {}),
              ...(newTag !== '' && newTag !== device.assetTag ? { assetTag: newTag } : {}),
            };
            if (Object.keys(body).length === 0) {
              setOpen(false);
              return;
            }
            save.mutate(body, { onSuccess: () => setOpen(false) });
          }}
        >
          <TextField
            label="Name"
            description="As the school knows it, for example “Oak 07”."
            value={name}
            onChange={setName}
            maxLength={NAME_MAX}
            errorMessage={nameError}
          />
          <TextField
            label="Asset tag"
            description="As on its label: letters, digits, dots, dashes or underscores."
            value={assetTag}
            onChange={setAssetTag}
            maxLength={ASSET_TAG_MAX}
            errorMessage={tagError}
          />
          <ErrorMessage error={save.error} message={formError} title="Could not save." />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" isPending={save.isPending}>
              Save
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/**
 * Fetches the device's signed profile (it needs the bearer token, so it cannot be a plain link)
 * and hands it to the browser as a download.
 *
 * @throws ApiError with the hub's words when it refuses
 */
async function saveProfile(device: DeviceDetail, token: string | null): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${devicePath(device.id)}/profile.mobileconfig`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw new ApiError(0, 'The hub could not be reached. Check the network and try again.');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: unknown } | null;
    throw new ApiError(
      response.status,
      typeof body?.message === 'string' && response.status < 500
        ? body.message
        : `The hub could not make the profile (status ${response.status}).`,
    );
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `${deviceLabel(device).replace(/[^A-Za-z0-9._-]+/g, '-')}.mobileconfig`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
