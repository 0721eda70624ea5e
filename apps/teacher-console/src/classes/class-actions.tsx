// What a teacher does to a lesson's tablets (issue 12): the action bar over the grid ("Lock all",
// "Unlock all", "Keep in app", "Send message", "Allow camera", "End session") and the forms the
// bar's dialogs and a tile's dialog share. Every action is one POST
// /api/classes/:id/session/actions; its result ("Lock sent to 30 tablets.") is said under the
// bar, and the tiles change as the tablets report, through class.tile.
import {
  CAMERA_ALLOW_MINUTES,
  type ClassAction,
  type ClassActionAccepted,
  type ClassSession,
  type ClassSessionView,
} from '@app/hub-api';
import { MESSAGE_TEXT_MAX_LENGTH } from '@app/devices/protocol';
import { LIMITS } from '@app/policy/settings';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import {
  Button,
  ConfirmDialog,
  Dialog,
  ErrorMessage,
  Select,
  StatusMessage,
  TextField,
} from '../ui';
import { CLASSES_PATH, classPath, sessionPath } from './class-live';
import { acceptedWords, actionErrorsOf } from './class-words';

/** A message's text, as the device protocol takes it (and the hub's ClassActionDto). */
const MESSAGE_TEXT_MAX = MESSAGE_TEXT_MAX_LENGTH;
/** An app id as long as the policy may name one (apps.allowed entries, libs/policy LIMITS). */
const APP_ID_MAX = LIMITS.appIdLength.max;
/** The camera allowance's choices, within the hub's range (CAMERA_ALLOW_MINUTES, 1 to 240). */
const CAMERA_MINUTES = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240].filter(
  (minutes) => minutes >= CAMERA_ALLOW_MINUTES.min && minutes <= CAMERA_ALLOW_MINUTES.max,
);

/**
 * The error of the last action sent with `mutation`, if it was one of `kinds` (each form shows
 * its own actions' refusals; the bar and a tile show those of the buttons beside them).
 */
export function errorOf(
  mutation: { error: unknown; variables?: ClassAction },
  kinds: readonly ClassAction['action'][],
): unknown {
  return mutation.variables && kinds.includes(mutation.variables.action) ? mutation.error : null;
}

/**
 * Sends one action to the class's tablets (all but the absent, or `deviceIds`). Resolves with
 * the hub's 202: which tablets it was queued for, its seq, which were left alone.
 */
export function useClassAction(classId: string) {
  return useMutation({
    mutationFn: (action: ClassAction) =>
      api<ClassActionAccepted>(`${sessionPath(classId)}/actions`, { method: 'POST', body: action }),
  });
}

/** Starts a lesson now (its end from the timetable, or an hour); the grid then shows it. */
export function useStartLesson(classId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    // A 409 says a lesson is running already (a second tap, or a colleague a moment before):
    // what the teacher asked for is true, so the running lesson is the answer, not an error.
    mutationFn: async () => {
      try {
        return await api<ClassSession>(sessionPath(classId), { method: 'POST', body: {} });
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          const running = (await api<ClassSessionView>(sessionPath(classId))).session;
          if (running) {
            return running;
          }
        }
        throw error;
      }
    },
    onSuccess: (session) => {
      queryClient.setQueryData<ClassSessionView>([sessionPath(classId)], (view) =>
        view ? { ...view, session } : view,
      );
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: [sessionPath(classId)] }),
        queryClient.invalidateQueries({ queryKey: [classPath(classId)] }),
        queryClient.invalidateQueries({ queryKey: [CLASSES_PATH], exact: true }),
      ]);
    },
  });
}

interface ActionBarProps {
  classId: string;
  /** How many tablets an action without `deviceIds` reaches (not absent). */
  present: number;
  /** The lesson was ended here ("End session"): the ended session, for the page to say so. */
  onEnded: (session: ClassSession) => void;
}

/** The buttons over the grid while a lesson runs, and what the last one did. */
export function ClassActionBar({ classId, present, onEnded }: ActionBarProps) {
  const queryClient = useQueryClient();
  const action = useClassAction(classId);
  const [done, setDone] = useState<string | null>(null);
  const send = (body: ClassAction, onSent?: () => void) => {
    setDone(null);
    action.mutate(body, {
      onSuccess: (accepted) => {
        setDone(acceptedWords(body.action, accepted));
        onSent?.();
      },
    });
  };
  const busy = (name: ClassAction['action']) =>
    action.isPending && action.variables?.action === name;
  const noTablets = present === 0;

  return (
    <div className="class-actions">
      <div className="class-action-buttons" role="group" aria-label="The whole class">
        <Button
          variant="primary"
          onPress={() => send({ action: 'lock' })}
          isPending={busy('lock')}
          isDisabled={noTablets}
        >
          Lock all
        </Button>
        <Button
          onPress={() => send({ action: 'unlock' })}
          isPending={busy('unlock')}
          isDisabled={noTablets}
        >
          Unlock all
        </Button>
        <ActionDialog
          title="Keep the class in one app"
          trigger="Keep in app"
          isDisabled={noTablets}
        >
          {(close) => (
            <AppLockForm
              action={action}
              onSend={(body) => send(body, close)}
              onCancel={close}
              who="every tablet of the class (but those marked absent)"
            />
          )}
        </ActionDialog>
        <ActionDialog
          title="Send a message to the class"
          trigger="Send message"
          isDisabled={noTablets}
        >
          {(close) => (
            <MessageForm action={action} onSend={(body) => send(body, close)} onCancel={close} />
          )}
        </ActionDialog>
        <ActionDialog title="Allow the camera" trigger="Allow camera" isDisabled={noTablets}>
          {(close) => (
            <CameraForm action={action} onSend={(body) => send(body, close)} onCancel={close} />
          )}
        </ActionDialog>
        <ConfirmDialog
          triggerLabel="End session"
          title="End the lesson now?"
          confirmLabel="End the lesson"
          onConfirm={async () => {
            setDone(null);
            const ended = await api<ClassSession>(sessionPath(classId), { method: 'DELETE' });
            // The bar goes with the lesson, so the page (not the bar) says it has ended.
            onEnded(ended);
            queryClient.setQueryData<ClassSessionView>([sessionPath(classId)], (view) =>
              view ? { ...view, session: null } : view,
            );
            await Promise.all([
              queryClient.invalidateQueries({ queryKey: [sessionPath(classId)] }),
              queryClient.invalidateQueries({ queryKey: [classPath(classId)] }),
              queryClient.invalidateQueries({ queryKey: [CLASSES_PATH], exact: true }),
            ]);
          }}
        >
          <p>
            Every tablet is unlocked, leaves its app, and its camera goes back to what the
            school&apos;s policy says. A tablet that is offline is put right when it connects.
          </p>
        </ConfirmDialog>
      </div>
      {noTablets ? <StatusMessage>Every tablet is marked absent.</StatusMessage> : null}
      {done ? <StatusMessage>{done}</StatusMessage> : null}
      <ErrorMessage error={errorOf(action, ['lock', 'unlock'])} title="Could not send that." />
    </div>
  );
}

/** A button that opens a dialog holding one action's form. */
function ActionDialog({
  title,
  trigger,
  isDisabled,
  children,
}: {
  title: string;
  trigger: string;
  isDisabled?: boolean;
  children: (close: () => void) => React.ReactNode;
}) {
  return (
    <Dialog title={title} trigger={<Button isDisabled={isDisabled}>{trigger}</Button>}>
      {children}
    </Dialog>
  );
}

type ActionMutation = ReturnType<typeof useClassAction>;

interface FormProps {
  action: ActionMutation;
  onSend: (body: ClassAction) => void;
  onCancel?: () => void;
  /** The tablets it is for, when not the whole class. */
  deviceIds?: string[];
}

const withDevices = (body: ClassAction, deviceIds?: string[]): ClassAction =>
  deviceIds ? { ...body, deviceIds } : body;

/** "Keep in app" (app.lock) with the app's id, and "Let them leave the app" (app.unlock). */
export function AppLockForm({
  action,
  onSend,
  onCancel,
  deviceIds,
  who,
}: FormProps & { who: string }) {
  const [appId, setAppId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!appId.trim()) {
      setProblem('Type the app to keep them in.');
      return;
    }
    setProblem(null);
    onSend(withDevices({ action: 'app.lock', appId: appId.trim() }, deviceIds));
  };
  const pending = action.isPending;
  const appError = errorOf(action, ['app.lock', 'app.unlock']);
  return (
    <form className="form class-form" onSubmit={submit}>
      <TextField
        label="App"
        description={`The app's identifier as the school's policy lists it (for example com.apple.Pages). It is kept open on ${who}; only an app the policy allows can be chosen.`}
        value={appId}
        onChange={(value) => {
          setAppId(value);
          setProblem(null);
        }}
        maxLength={APP_ID_MAX}
        autoComplete="off"
        errorMessage={problem ?? actionErrorsOf(appError, 'appId').atField}
      />
      <ErrorMessage
        error={appError}
        message={actionErrorsOf(appError, 'appId').form}
        title="Could not send that."
      />
      <div className="dialog-actions">
        {onCancel ? (
          <Button onPress={onCancel} isDisabled={pending}>
            Cancel
          </Button>
        ) : null}
        <Button
          onPress={() => onSend(withDevices({ action: 'app.unlock' }, deviceIds))}
          isPending={pending && action.variables?.action === 'app.unlock'}
        >
          Let them leave the app
        </Button>
        <Button
          type="submit"
          variant="primary"
          isPending={pending && action.variables?.action === 'app.lock'}
        >
          Keep in this app
        </Button>
      </div>
    </form>
  );
}

/** "Send message": the text shows on the tablets, from the signed-in teacher. */
export function MessageForm({ action, onSend, onCancel, deviceIds }: FormProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const messageError = errorOf(action, ['message']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) {
      setProblem('Type the message first.');
      return;
    }
    setProblem(null);
    onSend(withDevices({ action: 'message', text: text.trim() }, deviceIds));
  };
  // The text goes once the hub has taken it: a message that could not be sent (the hub was
  // unreachable, or refused it) stays in the box to send again, not typed again.
  const sent = action.isSuccess && action.variables?.action === 'message';
  useEffect(() => {
    if (sent) {
      setText('');
    }
  }, [sent, action.submittedAt]);
  return (
    <form className="form class-form" onSubmit={submit}>
      <TextField
        label="Message"
        description="It shows on the screen with your name."
        value={text}
        onChange={(value) => {
          setText(value);
          setProblem(null);
        }}
        maxLength={MESSAGE_TEXT_MAX}
        errorMessage={problem ?? actionErrorsOf(messageError, 'text').atField}
      />
      <ErrorMessage
        error={messageError}
        message={actionErrorsOf(messageError, 'text').form}
        title="Could not send that."
      />
      <div className="dialog-actions">
        {onCancel ? (
          <Button onPress={onCancel} isDisabled={action.isPending}>
            Cancel
          </Button>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          isPending={action.isPending && action.variables?.action === 'message'}
        >
          Send
        </Button>
      </div>
    </form>
  );
}

/** "Allow camera" for some minutes (it turns off by itself), or "Camera off now". */
export function CameraForm({ action, onSend, onCancel, deviceIds }: FormProps) {
  const [minutes, setMinutes] = useState('10');
  const cameraError = errorOf(action, ['camera.allow', 'camera.revoke']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSend(withDevices({ action: 'camera.allow', minutes: Number(minutes) }, deviceIds));
  };
  return (
    <form className="form class-form" onSubmit={submit}>
      <Select
        label="For how long"
        description="The camera turns off again by itself, even if the lesson goes on."
        value={minutes}
        onChange={setMinutes}
        options={CAMERA_MINUTES.map((value) => ({
          value: String(value),
          label:
            value < 60 || value % 60
              ? `${value} minutes`
              : `${value / 60} hour${value > 60 ? 's' : ''}`,
        }))}
        errorMessage={actionErrorsOf(cameraError, 'minutes').atField}
      />
      <ErrorMessage
        error={cameraError}
        message={actionErrorsOf(cameraError, 'minutes').form}
        title="Could not send that."
      />
      <div className="dialog-actions">
        {onCancel ? (
          <Button onPress={onCancel} isDisabled={action.isPending}>
            Cancel
          </Button>
        ) : null}
        <Button
          onPress={() => onSend(withDevices({ action: 'camera.revoke' }, deviceIds))}
          isPending={action.isPending && action.variables?.action === 'camera.revoke'}
        >
          Camera off now
        </Button>
        <Button
          type="submit"
          variant="primary"
          isPending={action.isPending && action.variables?.action === 'camera.allow'}
        >
          Allow camera
        </Button>
      </div>
    </form>
  );
}
