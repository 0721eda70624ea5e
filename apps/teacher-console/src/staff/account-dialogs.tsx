// The Staff screen's dialogs: create an account, change its name and email, change its roles,
// reset its password, disable it (after a confirmation) or enable it again. Each calls the hub, shows its errors beside the
// field they name, and refreshes the list (its query key is the API path).
import {
  passwordRuleChecks,
  STAFF_ROLE_LABELS,
  STAFF_ROLES,
  STAFF_UPDATE_REFUSALS,
  type UpdateStaffRequest,
  type PasswordRule,
  type StaffAccount,
  type StaffRole,
} from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Form } from 'react-aria-components';
import { api, apiQuery, conflictCodeOf } from '../api/client';
import {
  Button,
  ChangedMeanwhileNotice,
  CheckboxGroup,
  Dialog,
  ErrorMessage,
  TextField,
  useFocusOnRefusal,
} from '../ui';
import { fieldErrors } from './field-errors';

const ROLE_OPTIONS = STAFF_ROLES.map((role) => ({ value: role, label: STAFF_ROLE_LABELS[role] }));

/** Refreshes every page of the accounts list after a change. */
function useRefreshStaff() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['/api/staff'] });
}

/** The hub's rule under a new-password field, ticked off as it is typed. */
function PasswordRuleList({ password }: { password: string }) {
  const rule = useQuery({
    ...apiQuery<PasswordRule>('/api/auth/password-rule'),
    staleTime: Infinity,
  });
  const checks = passwordRuleChecks(password, rule.data?.minLength ?? 6);
  return (
    <span>
      <span className="rule-intro">The password needs:</span>
      <ul className="rule-list" aria-live="polite">
        {checks.map((check) => (
          <li key={check.text} className={check.met ? 'rule-met' : 'rule-unmet'}>
            <span aria-hidden="true">{check.met ? '✓ ' : '• '}</span>
            {check.text}
            <span className="visually-hidden">{check.met ? ': done' : ': not yet'}</span>
          </li>
        ))}
      </ul>
    </span>
  );
}

const CREATE_FIELDS = ['username', 'displayName', 'password', 'roles', 'email'] as const;

interface FieldProps {
  value: string;
  onChange: (value: string) => void;
  errorMessage?: string | null;
}

/** An account's display name, as new accounts and Details take it. */
function DisplayNameField(props: FieldProps) {
  return (
    <TextField
      label="Display name"
      description="How the console and the audit log name them, e.g. Ms Patel."
      {...props}
      isRequired
    />
  );
}

/** An account's email, where reminders of overdue loans go (optional). */
function EmailField(props: FieldProps) {
  return (
    <TextField
      label="Email (optional)"
      autoComplete="off"
      description="Where reminders of overdue loans are sent. Leave empty for none."
      {...props}
    />
  );
}

/** "New account": username, display name, first password, roles and an optional email. */
export function CreateAccountDialog() {
  const [isOpen, setOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['teacher']);
  const [email, setEmail] = useState('');
  const refresh = useRefreshStaff();
  const create = useMutation({
    mutationFn: () =>
      api<StaffAccount>('/api/staff', {
        method: 'POST',
        body: {
          username: username.trim(),
          displayName: displayName.trim(),
          password,
          roles,
          ...(email.trim() ? { email: email.trim() } : {}),
        },
      }),
    onSuccess: async () => {
      await refresh();
      setOpen(false);
    },
  });
  const open = (next: boolean) => {
    setOpen(next);
    if (next) {
      setUsername('');
      setDisplayName('');
      setPassword('');
      setRoles(['teacher']);
      setEmail('');
      create.reset();
    }
  };
  const formRef = useFocusOnRefusal(create.error);
  const { byField, form } = fieldErrors(create.error, CREATE_FIELDS);
  // A taken username (the hub's code) is beside the username too: fieldErrors puts it there.
  const usernameError = byField.username;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Dialog
      title="New staff account"
      isOpen={isOpen}
      onOpenChange={open}
      trigger={<Button variant="primary">New account</Button>}
    >
      {(close) => (
        <Form className="form" onSubmit={submit} ref={formRef}>
          <TextField
            label="Username"
            description="Lowercase letters, digits, dots, dashes or underscores; used to sign in."
            autoComplete="off"
            value={username}
            onChange={setUsername}
            errorMessage={usernameError}
            isRequired
          />
          <DisplayNameField
            value={displayName}
            onChange={setDisplayName}
            errorMessage={byField.displayName}
          />
          <TextField
            label="First password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            description={<PasswordRuleList password={password} />}
            errorMessage={byField.password}
            isRequired
          />
          <CheckboxGroup
            label="Roles"
            options={ROLE_OPTIONS}
            value={roles}
            onChange={setRoles}
            errorMessage={
              byField.roles ?? (roles.length === 0 ? 'Choose at least one role.' : null)
            }
          />
          <EmailField value={email} onChange={setEmail} errorMessage={byField.email} />
          {form && form !== usernameError ? <ErrorMessage error={create.error} /> : null}
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={create.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant="primary"
              isPending={create.isPending}
              isDisabled={roles.length === 0}
            >
              Create account
            </Button>
          </div>
        </Form>
      )}
    </Dialog>
  );
}

interface AccountProps {
  account: StaffAccount;
}

interface AccountChangeDialogProps {
  account: StaffAccount;
  title: string;
  /** The row's button that opens it. */
  trigger: ReactNode;
  /**
   * Called as the dialog opens, and after a refusal as made from an older read when the person
   * asks for the account as it is now: the fields go back to `account`.
   */
  onOpen: (account: StaffAccount) => void;
  /** The body of PATCH /api/staff/:id, from the fields. */
  body: () => UpdateStaffRequest;
  /**
   * The body holds a whole value read when the dialog opened (the roles): it is sent with the
   * account's `updatedAt` as read then, so the hub refuses it (409 `changed_meanwhile`) rather
   * than put back what someone else saved since.
   */
  sendsWhole?: boolean;
  submitLabel: string;
  submitDisabled?: boolean;
  /** The fields, given the hub's refusal of the last save (null before one). */
  children: (error: Error | null) => ReactNode;
}

/**
 * A dialog that changes one account (PATCH /api/staff/:id): the fields, Cancel and the save. On
 * success the list is read again and the dialog closes; a refusal stays for the fields to show.
 */
function AccountChangeDialog(props: AccountChangeDialogProps) {
  const [isOpen, setOpen] = useState(false);
  /** The account's `updatedAt` as the fields were filled from it. */
  const [readAt, setReadAt] = useState(props.account.updatedAt);
  const refresh = useRefreshStaff();
  const path = `/api/staff/${props.account.id}`;
  const save = useMutation({
    mutationFn: () =>
      api<StaffAccount>(path, {
        method: 'PATCH',
        body: {
          ...props.body(),
          ...(props.sendsWhole ? { updatedAt: readAt } : {}),
        } satisfies UpdateStaffRequest,
      }),
    onSuccess: async () => {
      await refresh();
      setOpen(false);
    },
    onError: (error) => {
      if (conflictCodeOf(error, STAFF_UPDATE_REFUSALS) === 'changed_meanwhile') {
        void refresh();
      }
    },
  });
  const changedMeanwhile = conflictCodeOf(save.error, STAFF_UPDATE_REFUSALS) !== null;
  // Discarding what was typed: the fields are filled again from the account as the hub has it.
  const reread = useMutation({
    mutationFn: () => api<StaffAccount>(path),
    onSuccess: (account) => {
      props.onOpen(account);
      setReadAt(account.updatedAt);
      save.reset();
    },
  });
  const formRef = useFocusOnRefusal(save.error);
  return (
    <Dialog
      title={props.title}
      isOpen={isOpen}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          props.onOpen(props.account);
          setReadAt(props.account.updatedAt);
          save.reset();
          reread.reset();
        }
      }}
      trigger={props.trigger}
    >
      {(close) => (
        <Form
          className="form"
          ref={formRef}
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          {/* A change made meanwhile is said once, below the fields, not as a field's error. */}
          {props.children(changedMeanwhile ? null : save.error)}
          {changedMeanwhile ? (
            <ChangedMeanwhileNotice
              thing="this account"
              discardLabel="Discard mine and show the account as it is now"
              onDiscard={() => reread.mutate()}
              isDisabled={reread.isPending}
            />
          ) : null}
          {reread.error ? <ErrorMessage error={reread.error} /> : null}
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={save.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant="primary"
              isPending={save.isPending}
              isDisabled={props.submitDisabled}
            >
              {props.submitLabel}
            </Button>
          </div>
        </Form>
      )}
    </Dialog>
  );
}

/**
 * "Details" on a row: the display name and the email. Only what was changed is sent; an emptied
 * email is removed (null), so reminders are no longer sent to it.
 */
export function DetailsDialog({ account }: AccountProps) {
  const [displayName, setDisplayName] = useState(account.displayName);
  const [email, setEmail] = useState(account.email ?? '');
  return (
    <AccountChangeDialog
      account={account}
      title={`Details of ${account.displayName}`}
      trigger={<Button aria-label={`Details of ${account.displayName}`}>Details</Button>}
      onOpen={(current) => {
        setDisplayName(current.displayName);
        setEmail(current.email ?? '');
      }}
      body={() => ({
        ...(displayName.trim() !== account.displayName ? { displayName: displayName.trim() } : {}),
        ...(email.trim() !== (account.email ?? '') ? { email: email.trim() || null } : {}),
      })}
      submitLabel="Save details"
    >
      {(error) => {
        const { byField, form } = fieldErrors(error, ['displayName', 'email'] as const);
        return (
          <>
            <DisplayNameField
              value={displayName}
              onChange={setDisplayName}
              errorMessage={byField.displayName}
            />
            <EmailField value={email} onChange={setEmail} errorMessage={byField.email} />
            {form ? <ErrorMessage error={error} /> : null}
          </>
        );
      }}
    </AccountChangeDialog>
  );
}

/** "Roles" on a row: tick the roles the account holds. */
export function RolesDialog({ account, isSelf }: AccountProps & { isSelf: boolean }) {
  const [roles, setRoles] = useState<string[]>(account.roles);
  return (
    <AccountChangeDialog
      account={account}
      title={`Roles of ${account.displayName}`}
      trigger={<Button aria-label={`Roles of ${account.displayName}`}>Roles</Button>}
      onOpen={(current) => setRoles(current.roles)}
      body={() => ({ roles: roles as StaffRole[] })}
      sendsWhole
      submitLabel="Save roles"
      submitDisabled={roles.length === 0}
    >
      {(error) => {
        const { byField, form } = fieldErrors(error, ['roles'] as const);
        return (
          <CheckboxGroup
            label="Roles"
            description={
              isSelf ? 'You cannot remove your own ICT role.' : 'What this person may open and do.'
            }
            options={ROLE_OPTIONS}
            value={roles}
            onChange={(next) => setRoles(next as StaffRole[])}
            errorMessage={
              byField.roles ?? form ?? (roles.length === 0 ? 'Choose at least one role.' : null)
            }
          />
        );
      }}
    </AccountChangeDialog>
  );
}

/** "Reset password" on a row: ICT sets a new password; the person's sign-ins end. */
export function ResetPasswordDialog({ account }: AccountProps) {
  const [password, setPassword] = useState('');
  return (
    <AccountChangeDialog
      account={account}
      title={`Reset the password of ${account.displayName}`}
      trigger={
        <Button aria-label={`Reset password of ${account.displayName}`}>Reset password</Button>
      }
      onOpen={() => setPassword('')}
      body={() => ({ password })}
      submitLabel="Set password"
    >
      {(error) => {
        const { byField, form } = fieldErrors(error, ['password'] as const);
        return (
          <>
            <p className="dialog-body">
              Their sign-ins end now. Give them the new password in person; they can change it after
              signing in.
            </p>
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={setPassword}
              description={<PasswordRuleList password={password} />}
              errorMessage={byField.password ?? form}
              isRequired
            />
          </>
        );
      }}
    </AccountChangeDialog>
  );
}

/** "Disable" on a row, after a confirmation: the account cannot sign in; its sign-ins end. */
export function DisableAccountDialog({ account }: AccountProps) {
  const [isOpen, setOpen] = useState(false);
  const refresh = useRefreshStaff();
  const disable = useMutation({
    mutationFn: () =>
      api<StaffAccount>(`/api/staff/${account.id}`, { method: 'PATCH', body: { disabled: true } }),
    onSuccess: async () => {
      await refresh();
      setOpen(false);
    },
  });
  return (
    <Dialog
      title={`Disable ${account.displayName}?`}
      role="alertdialog"
      isOpen={isOpen}
      onOpenChange={(next) => {
        setOpen(next);
        disable.reset();
      }}
      trigger={
        <Button variant="danger" aria-label={`Disable ${account.displayName}`}>
          Disable
        </Button>
      }
    >
      {(close) => (
        <>
          <p className="dialog-body">
            {account.displayName} ({account.username}) will be signed out everywhere and cannot sign
            in until the account is enabled again. Nothing they did is removed.
          </p>
          <ErrorMessage error={disable.error} />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={disable.isPending}>
              Cancel
            </Button>
            <Button variant="danger" onPress={() => disable.mutate()} isPending={disable.isPending}>
              Disable account
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** "Enable" on a disabled account's row: it may sign in again. */
export function EnableAccountButton({ account }: AccountProps) {
  const refresh = useRefreshStaff();
  const enable = useMutation({
    mutationFn: () =>
      api<StaffAccount>(`/api/staff/${account.id}`, {
        method: 'PATCH',
        body: { disabled: false },
      }),
    onSuccess: () => refresh(),
  });
  return (
    <span className="row-action-with-error">
      <Button
        aria-label={`Enable ${account.displayName}`}
        onPress={() => enable.mutate()}
        isPending={enable.isPending}
      >
        Enable
      </Button>
      <ErrorMessage error={enable.error} title="Could not enable." />
    </span>
  );
}
