// The policy editor: every setting by section, never raw JSON. Each setting is either set by this
// policy (with its value and an "Enforced" switch: narrower policies may not change it) or not
// set here (a wider policy or the built-in default decides). The hub checks what is saved and
// names the field at fault; its words appear beside that field.
import type { Policy } from '@app/hub-api';
import { SCHOOL_BASELINE } from '@app/policy/baseline';
import type { SettingPath, WifiSecurity } from '@app/policy/settings';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { Button, ErrorMessage, Select, StatusMessage, Switch, TextArea, TextField } from '../ui';
import { fieldErrorsOf, policyRefusalOf, type FieldErrors } from './hub-errors';
import {
  APPS_MODES,
  describeValue,
  fromDraft,
  numberProblemsOf,
  newNetwork,
  POLICY_SECTIONS,
  SETTING_FIELDS,
  toDraft,
  toDraftValue,
  WIFI_SECURITIES,
  type DraftValue,
  type NetworkDraft,
  type PolicyDraft,
} from './policy-form';

function defaultOf(path: SettingPath): unknown {
  const [group, key] = path.split('.') as [keyof typeof SCHOOL_BASELINE, string];
  return (SCHOOL_BASELINE[group] as Record<string, unknown>)[key];
}

export interface PolicyEditorProps {
  policy: Policy;
  /** The revision this page last saved (kept by the page, which outlives the form). */
  savedRevision: number | null;
  onSaved: (revision: number) => void;
}

/** Whether the form holds anything other than `base` (what it would send, so not React's keys). */
function isEdited(draft: PolicyDraft, base: Policy): boolean {
  return JSON.stringify(fromDraft(draft)) !== JSON.stringify(fromDraft(toDraft(base)));
}

/**
 * The form of one policy (`key={policy.id}`). It keeps the revision its draft was made from and
 * sends it with the save, so a save made from an older revision is refused by the hub
 * (`changed_meanwhile`) rather than putting back what someone else changed since. A newer
 * revision read meanwhile (another person's save, a rollback, seen when the page reads the
 * policy again) refills the form if nothing was typed; an edited form is kept, saying so, until
 * its author discards it.
 */
export function PolicyEditor({ policy, savedRevision, onSaved }: PolicyEditorProps) {
  const queryClient = useQueryClient();
  const [base, setBase] = useState<Policy>(policy);
  const [draft, setDraft] = useState<PolicyDraft>(() => toDraft(policy));
  const [errors, setErrors] = useState<FieldErrors | null>(null);
  /** The hub refused the last save as made from an older revision (until the form is refilled). */
  const [refused, setRefused] = useState(false);
  const edited = isEdited(draft, base);
  const refill = (from: Policy) => {
    setBase(from);
    setDraft(toDraft(from));
    setErrors(null);
    setRefused(false);
  };
  if (policy.id === base.id && policy.revision > base.revision && !edited && !refused) {
    // Nothing typed: take the newer revision at once (React's state adjusted while rendering).
    refill(policy);
  }
  const stale = policy.revision > base.revision;
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof fromDraft> & { revision: number }) =>
      api<Policy>(`/api/policies/${policy.id}`, { method: 'PATCH', body }),
    onSuccess: async (updated) => {
      refill(updated);
      onSaved(updated.revision);
      queryClient.setQueryData([`/api/policies/${policy.id}`], updated);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['/api/policies'] }),
        queryClient.invalidateQueries({ queryKey: [`/api/policies/${policy.id}/revisions`] }),
        queryClient.invalidateQueries({ queryKey: ['/api/compliance'] }),
      ]);
    },
  });

  const byField = errors?.byField ?? {};
  const update = (change: Partial<PolicyDraft>) => {
    setDraft((current) => ({ ...current, ...change }));
  };
  const setValue = (path: SettingPath, value: DraftValue | undefined) => {
    const values = { ...draft.values };
    if (value === undefined) {
      delete values[path];
    } else {
      values[path] = value;
    }
    update({
      values,
      enforced: value === undefined ? draft.enforced.filter((p) => p !== path) : draft.enforced,
    });
  };
  const setEnforced = (path: SettingPath, on: boolean) =>
    update({
      enforced: on ? [...draft.enforced, path] : draft.enforced.filter((p) => p !== path),
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Its own check first: a number outside the hub's range is said here, and nothing is sent.
    const problems = numberProblemsOf(draft);
    if (Object.keys(problems).length > 0) {
      setErrors({ byField: problems, error: null, form: null });
      return;
    }
    const body = { ...fromDraft(draft), revision: base.revision };
    setErrors(null);
    setRefused(false);
    save.mutate(body, {
      onError: (error) => {
        if (policyRefusalOf(error) === 'changed_meanwhile') {
          // Said by the notice below, with the newer revision once it is read again.
          setRefused(true);
          void queryClient.invalidateQueries({ queryKey: [`/api/policies/${policy.id}`] });
          void queryClient.invalidateQueries({
            queryKey: [`/api/policies/${policy.id}/revisions`],
          });
          return;
        }
        setErrors(fieldErrorsOf(error, body.enforced));
      },
    });
  };

  const fieldCount = Object.keys(byField).length;
  return (
    <form className="policy-editor" onSubmit={submit} aria-label="Policy settings">
      <fieldset className="policy-section">
        <legend>Name</legend>
        <TextField
          label="Name"
          value={draft.name}
          onChange={(name) => update({ name })}
          errorMessage={byField.name}
          isRequired
        />
        <TextArea
          label="Description"
          description="What the policy is for, for other ICT staff. May be several lines."
          value={draft.description}
          onChange={(description) => update({ description })}
          errorMessage={byField.description}
          rows={2}
        />
      </fieldset>
      {POLICY_SECTIONS.map((section) => (
        <fieldset key={section.id} className="policy-section">
          <legend>{section.title}</legend>
          {section.settings.map((path) => (
            <SettingRow
              key={path}
              path={path}
              value={draft.values[path]}
              enforced={draft.enforced.includes(path)}
              byField={byField}
              onValue={(value) => setValue(path, value)}
              onEnforced={(on) => setEnforced(path, on)}
            />
          ))}
        </fieldset>
      ))}
      <div className="policy-save" role="group" aria-label="Save">
        {stale || refused ? (
          <div className="error-message" role="alert">
            <strong>{refused ? 'Not saved.' : 'Changed by someone else.'}</strong>{' '}
            {stale
              ? `This policy was saved as revision ${policy.revision} (by someone else, or by a rollback) while you were editing revision ${base.revision}.`
              : 'Someone else changed this policy after you opened it.'}{' '}
            Your changes are still here, but the hub will not save them over the newer revision, as
            that would undo what was changed there. Note what you changed, then show the policy as
            it is now and make your changes again.
            {stale ? (
              <Button onPress={() => refill(policy)}>
                Discard mine and show revision {policy.revision}
              </Button>
            ) : null}
          </div>
        ) : null}
        {errors && fieldCount > 0 ? (
          // The hub's own words are beside the field; here only where to look.
          <div className="error-message" role="alert">
            <strong>Could not save:</strong>{' '}
            {fieldCount === 1
              ? 'one setting needs changing (shown beside it).'
              : `${fieldCount} settings need changing (shown beside them).`}
            {errors.form ? ` ${errors.form}` : null}
          </div>
        ) : errors ? (
          <ErrorMessage error={errors.error} title="Could not save." />
        ) : null}
        {savedRevision === policy.revision ? (
          <StatusMessage>Saved as revision {policy.revision}.</StatusMessage>
        ) : null}
        <div className="policy-save-buttons">
          <Button type="submit" variant="primary" isPending={save.isPending}>
            Save changes
          </Button>
          <Button onPress={() => refill(policy)} isDisabled={save.isPending}>
            Discard changes
          </Button>
        </div>
      </div>
    </form>
  );
}

interface SettingRowProps {
  path: SettingPath;
  value: DraftValue | undefined;
  enforced: boolean;
  byField: Record<string, string>;
  onValue: (value: DraftValue | undefined) => void;
  onEnforced: (on: boolean) => void;
}

function SettingRow({ path, value, enforced, byField, onValue, onEnforced }: SettingRowProps) {
  const field = SETTING_FIELDS[path];
  const isSet = value !== undefined;
  const error = byField[path];
  return (
    <div className={`setting${error ? ' setting-invalid' : ''}`}>
      {isSet ? (
        <SettingValue path={path} value={value} byField={byField} onValue={onValue} />
      ) : (
        <div className="setting-unset">
          <p className="setting-name">{field.label}</p>
          <p className="field-description">
            Not set here: a wider policy or the built-in default decides (default:{' '}
            {describeValue(path, defaultOf(path))}).
          </p>
        </div>
      )}
      <div className="setting-switches">
        <Switch
          isSelected={isSet}
          onChange={(on) => onValue(on ? toDraftValue(path, defaultOf(path)) : undefined)}
          stateWords={{ on: 'Set', off: 'Not set' }}
        >
          Set here<span className="visually-hidden"> ({field.label})</span>
        </Switch>
        <Switch isSelected={enforced} isDisabled={!isSet} onChange={onEnforced}>
          Enforced<span className="visually-hidden"> ({field.label})</span>
        </Switch>
      </div>
      {byField[`${path}#enforced`] ? (
        <p className="field-error">{byField[`${path}#enforced`]}</p>
      ) : null}
    </div>
  );
}

interface SettingValueProps {
  path: SettingPath;
  value: DraftValue;
  byField: Record<string, string>;
  onValue: (value: DraftValue) => void;
}

function SettingValue({ path, value, byField, onValue }: SettingValueProps) {
  const field = SETTING_FIELDS[path];
  const error = byField[path];
  switch (field.kind) {
    case 'boolean':
      return (
        <div className="setting-boolean">
          <Switch
            isSelected={value as boolean}
            onChange={(on) => onValue(on)}
            stateWords={field.words}
          >
            {field.label}
          </Switch>
          <p className="field-description">{field.description}</p>
          {error ? <p className="field-error">{error}</p> : null}
        </div>
      );
    case 'integer':
      return (
        <TextField
          label={field.label}
          description={field.description}
          value={value as string}
          onChange={onValue}
          inputMode="numeric"
          errorMessage={error}
        />
      );
    case 'lines':
      return (
        <TextArea
          label={field.label}
          description={field.description}
          value={value as string}
          onChange={onValue}
          errorMessage={error}
        />
      );
    case 'appsMode':
      return (
        <Select
          label={field.label}
          description={field.description}
          options={APPS_MODES}
          value={value as string}
          onChange={onValue}
          errorMessage={error}
        />
      );
    case 'networks':
      return (
        <NetworksField
          networks={value as NetworkDraft[]}
          byField={byField}
          onChange={onValue}
          error={error}
        />
      );
  }
}

interface NetworksFieldProps {
  networks: NetworkDraft[];
  byField: Record<string, string>;
  onChange: (networks: NetworkDraft[]) => void;
  error?: string;
}

function NetworksField({ networks, byField, onChange, error }: NetworksFieldProps) {
  const field = SETTING_FIELDS['wifi.networks'];
  const change = (index: number, patch: Partial<NetworkDraft>) =>
    onChange(networks.map((network, i) => (i === index ? { ...network, ...patch } : network)));
  return (
    <div className="networks" role="group" aria-labelledby="wifi-networks-label">
      <p className="setting-name" id="wifi-networks-label">
        {field.label}
      </p>
      <p className="field-description">{field.description}</p>
      {error ? <p className="field-error">{error}</p> : null}
      {networks.length === 0 ? <p className="status-message">No networks yet.</p> : null}
      <ol className="network-list">
        {networks.map((network, index) => {
          const at = `wifi.networks[${index}]`;
          const number = index + 1;
          return (
            <li key={network.key} className="network">
              <p className="network-title">Network {number}</p>
              <TextField
                label={`Network ${number} name (SSID)`}
                value={network.ssid}
                onChange={(ssid) => change(index, { ssid })}
                errorMessage={byField[`${at}.ssid`] ?? byField[at]}
              />
              <Select
                label={`Network ${number} security`}
                options={WIFI_SECURITIES}
                value={network.security}
                onChange={(security) => change(index, { security: security as WifiSecurity })}
                errorMessage={byField[`${at}.security`]}
              />
              {network.security === 'open' ? null : (
                <TextField
                  label={`Network ${number} password`}
                  description="8 to 63 characters."
                  value={network.password}
                  onChange={(password) => change(index, { password })}
                  errorMessage={byField[`${at}.password`]}
                  autoComplete="off"
                />
              )}
              <Switch
                isSelected={network.autoJoin}
                onChange={(autoJoin) => change(index, { autoJoin })}
                stateWords={{ on: 'Yes', off: 'No' }}
              >
                Network {number} joins on its own
              </Switch>
              <Button
                variant="secondary"
                onPress={() => onChange(networks.filter((_, i) => i !== index))}
              >
                Remove network {number}
              </Button>
            </li>
          );
        })}
      </ol>
      <Button onPress={() => onChange([...networks, newNetwork()])}>Add a network</Button>
    </div>
  );
}
