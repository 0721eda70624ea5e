// ICT makes an enrolment token (POST /api/enrollment-tokens): the groups its devices join, how
// many devices may use it, how long it lasts, and whether it may re-enrol a wiped device. The
// hub's errors appear beside the field they name; asking for a token hides the one shown before.
import type { DeviceGroup, NewEnrolmentToken } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, apiQuery } from '../api/client';
import { Button, CheckboxGroup, ErrorMessage, Select, Switch, TextField } from '../ui';

/** How long a token lasts: the hub takes minutes, at most 30 days. */
const LIFETIMES = [
  { value: '60', label: '1 hour' },
  { value: '480', label: '8 hours (a school day)' },
  { value: String(24 * 60), label: '1 day' },
  { value: String(7 * 24 * 60), label: '1 week' },
  { value: String(30 * 24 * 60), label: '30 days' },
] as const;

/** The hub's limit on uses (CreateEnrollmentTokenDto). */
const MAX_USES = 100_000;

/** What the new-token panel shows beside the token. */
export interface MadeToken extends NewEnrolmentToken {
  label: string;
  groupNames: string[];
}

type Field = 'label' | 'groupIds' | 'maxUses' | 'ttlMinutes';

/** The field a hub 400 names ("maxUses must not be greater than 100000"), if any. */
function fieldOf(error: unknown): Field | null {
  if (!(error instanceof ApiError) || error.status !== 400) {
    return null;
  }
  const match = /^(label|groupIds|maxUses|ttlMinutes)\b/i.exec(error.message);
  return match ? (match[1].replace(/^./, (c) => c.toLowerCase()) as Field) : null;
}

/**
 * The form that makes a token. `onMade` gets each new token, and null as soon as another is
 * asked for: the token shown before must not stay on screen beside an error (or while the next
 * is made), where it would pass for the new one and be handed out.
 */
export function MakeTokenForm({ onMade }: { onMade: (token: MadeToken | null) => void }) {
  const queryClient = useQueryClient();
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const [label, setLabel] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [uses, setUses] = useState('1');
  const [ttlMinutes, setTtlMinutes] = useState<string>(LIFETIMES[0].value);
  const [reenrol, setReenrol] = useState(false);
  const [usesProblem, setUsesProblem] = useState<string | null>(null);

  const make = useMutation({
    mutationFn: (body: {
      label?: string;
      groupIds: string[];
      maxUses: number;
      ttlMinutes: number;
      reenrol: boolean;
    }) => api<NewEnrolmentToken>('/api/enrollment-tokens', { method: 'POST', body }),
    onSuccess: (token, body) => {
      void queryClient.invalidateQueries({ queryKey: ['/api/enrollment-tokens'] });
      const names = new Map((groups.data ?? []).map((group) => [group.id, group.name]));
      onMade({
        ...token,
        label: body.label ?? '',
        groupNames: body.groupIds.map((id) => names.get(id) ?? id),
      });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onMade(null);
    const maxUses = Number(uses.trim());
    if (!/^\d+$/.test(uses.trim()) || maxUses < 1 || maxUses > MAX_USES) {
      setUsesProblem(
        `Type a whole number of devices from 1 to ${MAX_USES.toLocaleString('en-GB')}.`,
      );
      return;
    }
    setUsesProblem(null);
    make.mutate({
      ...(label.trim() ? { label: label.trim() } : {}),
      groupIds,
      maxUses,
      ttlMinutes: Number(ttlMinutes),
      reenrol,
    });
  };

  const field = fieldOf(make.error);
  const fieldError = (name: Field) => (field === name ? (make.error as ApiError).message : null);

  return (
    <form className="form enrol-form" onSubmit={submit} aria-labelledby="make-token-heading">
      <h2 id="make-token-heading">Make an enrolment token</h2>
      <TextField
        label="Label (optional)"
        description="Says what the token is for in the list below, for example “Year 4 iPads”."
        value={label}
        onChange={setLabel}
        maxLength={128}
        errorMessage={fieldError('label')}
      />
      {groups.data && groups.data.length > 0 ? (
        <CheckboxGroup
          label="Groups the devices join (optional)"
          options={groups.data.map((group) => ({ value: group.id, label: group.name }))}
          value={groupIds}
          onChange={setGroupIds}
          errorMessage={fieldError('groupIds')}
        />
      ) : groups.data ? (
        <p className="field-description">
          There are no device groups yet. <Link to="/groups">Make one on the Groups page</Link> to
          put the devices in it as they enrol.
        </p>
      ) : (
        <ErrorMessage error={groups.error} title="Could not read the groups." />
      )}
      <TextField
        label="How many devices may use it"
        description="Each device that enrols uses it once."
        value={uses}
        onChange={setUses}
        inputMode="numeric"
        isRequired
        errorMessage={usesProblem ?? fieldError('maxUses')}
      />
      <Select
        label="How long it lasts"
        options={LIFETIMES}
        value={ttlMinutes}
        onChange={setTtlMinutes}
        errorMessage={fieldError('ttlMinutes')}
      />
      <Switch isSelected={reenrol} onChange={setReenrol} stateWords={{ on: 'Yes', off: 'No' }}>
        May re-enrol a device that is already enrolled (a wiped or replaced device)
      </Switch>
      {field ? null : <ErrorMessage error={make.error} title="Could not make the token." />}
      <Button type="submit" variant="primary" isPending={make.isPending}>
        Make token
      </Button>
    </form>
  );
}
