// ICT makes an enrolment token (POST /api/enrollment-tokens): the groups its devices join, how
// many devices may use it, how long it lasts, and whether it may re-enrol a wiped device. Each
// part of the hub's 400 appears beside the field it names, the rest above the button; asking for a
// token hides the one shown before. A ticked group deleted meanwhile (another tab, another member
// of staff) is unticked and named, whether the group list read again or the hub's 400 said so, so
// the next press makes the token without a reload.
import {
  plainFieldNames,
  TOKEN_MAX_USES,
  TOKEN_TTL_MINUTES,
  wholeNumberIn,
  type DeviceGroup,
  type NewEnrolmentToken,
} from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { badRequestPlacesOf } from '../api/bad-request-fields';
import { api, apiQuery, describeError, sentence } from '../api/client';
import { goneIdsOf, goneWords } from '../api/gone-choices';
import { Button, CheckboxGroup, ErrorMessage, Select, Switch, TextField } from '../ui';

/** How long a token lasts: the hub takes minutes (TOKEN_TTL_MINUTES), at most 30 days. */
const LIFETIMES = [
  { value: '60', label: '1 hour' },
  { value: '480', label: '8 hours (a school day)' },
  { value: String(24 * 60), label: '1 day' },
  { value: String(7 * 24 * 60), label: '1 week' },
  { value: String(TOKEN_TTL_MINUTES.max), label: '30 days' },
] as const;

/** What the new-token panel shows beside the token. */
export interface MadeToken extends NewEnrolmentToken {
  label: string;
  groupNames: string[];
}

/** The request's fields the form shows a 400 beside (CreateEnrollmentTokenDto). */
const TOKEN_FIELDS = ['label', 'groupIds', 'maxUses', 'ttlMinutes'] as const;
type TokenField = (typeof TOKEN_FIELDS)[number];

/** Where the form says a refusal of POST /api/enrollment-tokens: see tokenErrorsOf. */
export interface TokenErrors {
  /** Each field's parts of a 400, each a sentence in plain words ("Group IDs must …."). */
  byField: Partial<Record<TokenField, string>>;
  /** What to say above the button: the 400's other parts, or any other error in its own words;
   * null for nothing. */
  form: string | null;
}

/**
 * Where the form says the hub's refusal of a new token, by the console's one rule for a 400
 * (badRequestPlacesOf, api/bad-request-fields.ts): each "; "-joined part beside the field it
 * starts with, so "groupIds must name at most 50; label must be one line, …" says each half at
 * its own field, and the parts that start with no field above the button. Anything but a 400 is
 * said above the button in its own words (describeError).
 *
 * One addition of this form's: the group checkboxes are not on screen when there is no group to
 * show (every group deleted since the person ticked one), and a part about `groupIds` ("groupIds:
 * no such groups: …", EnrollmentService.createToken) is then said above the button, or nothing
 * would say why the token was not made.
 *
 * A part that names groups deleted meanwhile ("groupIds: no such groups: <id>") is not said in the
 * hub's words: the form unticks those groups and says which, by name (goneWords).
 *
 * @param error what making the token rejected with (null or undefined: none)
 * @param groupsShown whether the group checkboxes are on screen
 */
export function tokenErrorsOf(error: unknown, groupsShown: boolean): TokenErrors {
  if (error === null || error === undefined) {
    return { byField: {}, form: null };
  }
  const placed = badRequestPlacesOf(error, TOKEN_FIELDS, (part) => plainFieldNames(sentence(part)));
  if (!placed) {
    return { byField: {}, form: describeError(error) };
  }
  const { groupIds, ...byField } = placed.byField;
  // The hub checks the groups only once the request is valid, so such a 400 has no other
  // groupIds part; the form says the deleted groups by name instead (goneWords).
  if (goneIdsOf(error, 'groupIds').length > 0) {
    return { byField, form: placed.form };
  }
  if (groupIds === undefined || groupsShown) {
    return placed;
  }
  return { byField, form: [groupIds, placed.form].filter(Boolean).join(' ') };
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
  /** The names of ticked groups deleted meanwhile, unticked since the last press. */
  const [gone, setGone] = useState<string[]>([]);
  // Every group name the form has shown: a deleted group is named after the list has lost it.
  const namesSeen = useRef(new Map<string, string>());
  for (const group of groups.data ?? []) {
    namesSeen.current.set(group.id, group.name);
  }
  const untick = (ids: readonly string[]) => {
    const dropped = new Set(ids.map((id) => id.toLowerCase()));
    setGroupIds((ticked) => ticked.filter((id) => !dropped.has(id.toLowerCase())));
    setGone((names) => [
      ...new Set([
        ...names,
        ...[...dropped].map((id) => namesSeen.current.get(id) ?? 'A group you ticked'),
      ]),
    ]);
  };

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
    onError: (error) => {
      const deleted = goneIdsOf(error, 'groupIds');
      if (deleted.length > 0) {
        untick(deleted);
        void queryClient.invalidateQueries({ queryKey: ['/api/groups'] });
      }
    },
  });

  // A ticked group the list no longer has (read again: deleted meanwhile) is unticked and named.
  useEffect(() => {
    if (!groups.data) {
      return;
    }
    const listed = new Set(groups.data.map((group) => group.id));
    const deleted = groupIds.filter((id) => !listed.has(id));
    if (deleted.length > 0) {
      untick(deleted);
    }
  }, [groups.data, groupIds]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onMade(null);
    setGone([]);
    const maxUses = wholeNumberIn(uses, TOKEN_MAX_USES);
    if (maxUses === null) {
      setUsesProblem(
        `Type a whole number of devices from ${TOKEN_MAX_USES.min} to ` +
          `${TOKEN_MAX_USES.max.toLocaleString('en-GB')}.`,
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

  const groupsShown = Boolean(groups.data?.length);
  const errors = tokenErrorsOf(make.error, groupsShown);

  return (
    <form className="form enrol-form" onSubmit={submit} aria-labelledby="make-token-heading">
      <h2 id="make-token-heading">Make an enrolment token</h2>
      <TextField
        label="Label (optional)"
        description="Says what the token is for in the list below, for example “Year 4 iPads”."
        value={label}
        onChange={setLabel}
        maxLength={128}
        errorMessage={errors.byField.label}
      />
      {groups.data && groups.data.length > 0 ? (
        <CheckboxGroup
          label="Groups the devices join (optional)"
          options={groups.data.map((group) => ({ value: group.id, label: group.name }))}
          value={groupIds}
          onChange={setGroupIds}
          errorMessage={errors.byField.groupIds}
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
        errorMessage={usesProblem ?? errors.byField.maxUses}
      />
      <Select
        label="How long it lasts"
        options={LIFETIMES}
        value={ttlMinutes}
        onChange={setTtlMinutes}
        errorMessage={errors.byField.ttlMinutes}
      />
      <Switch isSelected={reenrol} onChange={setReenrol} stateWords={{ on: 'Yes', off: 'No' }}>
        May re-enrol a device that is already enrolled (a wiped or replaced device)
      </Switch>
      {gone.length > 0 ? (
        <p className="status-message" role="status">
          {goneWords(gone, 'ticked')}
          {make.isError ? ' Make the token again.' : ''}
        </p>
      ) : null}
      <ErrorMessage error={make.error} title="Could not make the token." message={errors.form} />
      <Button type="submit" variant="primary" isPending={make.isPending}>
        Make token
      </Button>
    </form>
  );
}
