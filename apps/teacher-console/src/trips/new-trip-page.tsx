// ICT or a trip leader: a new trip (POST /api/trips). Its name; its short name, which becomes
// part of the names of the photos the kit takes, so it follows a rule shown beside it and never
// holds a person's name; when it starts and ends; its leaders (the person adding it leads it
// unless they say otherwise; more are picked by name); and its kit, named asset by asset (scan
// the tags into the box: each scan's Enter starts a new line). While out, the kit's devices get
// the trip's overlay: the camera is allowed unless switched off here.
import type { Borrower, CreateTripRequest, Page as ApiPage, Trip } from '@app/hub-api';
import { tagKeyOf, TRIP_SHORT_NAME_PATTERN, TRIP_SHORT_NAME_RULE } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { useNavigate } from 'react-router-dom';
import { api, apiQuery } from '../api/client';
import { useSession } from '../auth/session';
import {
  Button,
  dayInput,
  ErrorMessage,
  Link,
  Page,
  SearchPicker,
  Switch,
  TextArea,
  TextField,
  useSettled,
} from '../ui';
import { newTripErrorsOf, TRIPS_PATH, type NewTripField } from './trip-words';

/**
 * Staff by name (the loans module's search, open to trip leaders to pick leaders with), with
 * `canLead`: only the trip leaders and ICT, whom the hub takes as a trip's leaders.
 */
const STAFF_SEARCH_PATH = '/api/loans/borrowers';

/**
 * The tags typed or scanned: one a line (commas and spaces also split), each once, as the hub
 * counts them ("OAK-01" and "oak-01" are one asset: the first spelling is kept).
 */
function kitTags(text: string): string[] {
  const tags = new Map<string, string>();
  for (const tag of text.split(/[\s,;]+/)) {
    const trimmed = tag.trim();
    if (trimmed && !tags.has(tagKeyOf(trimmed))) {
      tags.set(tagKeyOf(trimmed), trimmed);
    }
  }
  return [...tags.values()];
}

/** A datetime-local field's value in the browser's zone, as UTC ISO 8601; null if not a time. */
function localTime(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) {
    return null;
  }
  const when = new Date(value);
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

export default function NewTripPage() {
  const { user } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [shortName, setShortName] = useState('');
  const [startsAt, setStartsAt] = useState(`${dayInput(1)}T08:30`);
  const [endsAt, setEndsAt] = useState(`${dayInput(1)}T16:00`);
  const [iLead, setILead] = useState(true);
  const [leaders, setLeaders] = useState<Borrower[]>([]);
  const [kitText, setKitText] = useState('');
  const [cameraAllowed, setCameraAllowed] = useState(true);

  const leaderIds = [
    ...new Set([...(iLead && user ? [user.id] : []), ...leaders.map((l) => l.id)]),
  ];
  const tags = kitTags(kitText);
  const start = localTime(startsAt);
  const end = localTime(endsAt);
  const problems = {
    name: name.trim() ? null : 'Give the trip a name.',
    shortName: TRIP_SHORT_NAME_PATTERN.test(shortName)
      ? null
      : `Use ${TRIP_SHORT_NAME_RULE}: for example "museum-2026". Never a person's name.`,
    endsAt:
      !start || !end
        ? 'Give a start and an end.'
        : end <= start
          ? 'It must end after it starts.'
          : null,
    leaders: leaderIds.length ? null : 'A trip needs at least one leader.',
    kit: tags.length ? null : 'Name at least one asset by its tag.',
  };
  const ready = Object.values(problems).every((problem) => problem === null);

  const create = useMutation({
    mutationFn: () => {
      const body: CreateTripRequest = {
        name: name.trim(),
        shortName,
        startsAt: start as string,
        endsAt: end as string,
        leaderIds,
        assetTags: tags,
        ...(cameraAllowed ? {} : { overlay: { camera: { allowed: false } } }),
      };
      return api<Trip>(TRIPS_PATH, { method: 'POST', body });
    },
    onSuccess: async (trip) => {
      await client.invalidateQueries({ queryKey: [TRIPS_PATH] });
      void navigate(`/trips/${trip.id}`);
    },
  });
  // Each part of the hub's 400 beside the field it names first; the rest above the button.
  const placed = newTripErrorsOf(create.error);
  const fieldOf = (field: NewTripField) => placed.byField[field] ?? null;
  const [tried, setTried] = useState(false);
  const show = (problem: string | null) => (tried ? problem : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (ready) {
      create.mutate();
    }
  };
  return (
    <Page title="New trip">
      <p className="back-link">
        <Link href="/trips">All trips</Link>
      </p>
      <Form className="form trip-form" onSubmit={submit}>
        <TextField
          label="Name"
          description="As staff call it: Year 6 museum visit."
          value={name}
          onChange={setName}
          errorMessage={show(problems.name) ?? fieldOf('name')}
          isRequired
        />
        <TextField
          label="Short name"
          description={`${TRIP_SHORT_NAME_RULE}. It becomes part of the stored photo names, so never a person's name.`}
          value={shortName}
          onChange={(value) => setShortName(value.toLowerCase())}
          errorMessage={
            (shortName ? problems.shortName : show(problems.shortName)) ?? fieldOf('shortName')
          }
          isRequired
        />
        <div className="trip-dates">
          <TextField
            label="Starts"
            type="datetime-local"
            value={startsAt}
            onChange={setStartsAt}
            errorMessage={fieldOf('startsAt')}
            isRequired
          />
          <TextField
            label="Ends"
            type="datetime-local"
            value={endsAt}
            onChange={setEndsAt}
            errorMessage={problems.endsAt ?? fieldOf('endsAt')}
            isRequired
          />
        </div>
        <fieldset className="trip-leaders">
          <legend className="field-label">Leaders</legend>
          <Switch isSelected={iLead} onChange={setILead} stateWords={{ on: 'Yes', off: 'No' }}>
            I lead this trip
          </Switch>
          <LeaderPicker
            chosen={leaders}
            onAdd={(leader) =>
              setLeaders((now) => (now.some((l) => l.id === leader.id) ? now : [...now, leader]))
            }
          />
          {leaders.length ? (
            <ul className="trip-leader-list" aria-label="Other leaders">
              {leaders.map((leader) => (
                <li key={leader.id}>
                  <span>{leader.displayName}</span>
                  <Button
                    onPress={() => setLeaders((now) => now.filter((l) => l.id !== leader.id))}
                    aria-label={`Remove ${leader.displayName}`}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          ) : null}
          {(show(problems.leaders) ?? fieldOf('leaderIds')) ? (
            <p className="field-error">{show(problems.leaders) ?? fieldOf('leaderIds')}</p>
          ) : null}
        </fieldset>
        <TextArea
          label="Kit: asset tags"
          description={`One a line: scan each device's label here. ${tags.length} ${tags.length === 1 ? 'asset' : 'assets'} so far.`}
          rows={6}
          value={kitText}
          onChange={setKitText}
          errorMessage={show(problems.kit) ?? fieldOf('assetTags')}
        />
        <Switch
          isSelected={cameraAllowed}
          onChange={setCameraAllowed}
          stateWords={{ on: 'Allowed', off: 'Off' }}
        >
          Camera on the kit while out
        </Switch>
        <ErrorMessage error={create.error} message={placed.form} title="Could not add the trip." />
        <Button type="submit" variant="primary" isPending={create.isPending}>
          Add trip
        </Button>
      </Form>
    </Page>
  );
}

/** Another leader, found by name: picking one adds them to the list. */
function LeaderPicker(props: { chosen: Borrower[]; onAdd: (leader: Borrower) => void }) {
  const [search, setSearch] = useState('');
  const settled = useSettled(search.trim(), 250);
  const matches = useQuery({
    ...apiQuery<ApiPage<Borrower>>(STAFF_SEARCH_PATH, {
      search: settled,
      canLead: true,
      pageSize: 20,
    }),
    enabled: settled !== '',
  });
  const found = (settled ? (matches.data?.items ?? []) : []).filter(
    (staff) => !props.chosen.some((leader) => leader.id === staff.id),
  );
  return (
    <>
      <SearchPicker
        label="Add another leader"
        description="A trip leader or ICT: type part of their name, then choose them."
        search={search}
        onSearchChange={setSearch}
        items={found.map((staff) => ({
          id: staff.id,
          label: staff.displayName,
          detail: staff.username,
        }))}
        selectedId={null}
        onSelectedChange={(id) => {
          const leader = found.find((staff) => staff.id === id);
          if (leader) {
            props.onAdd(leader);
            setSearch('');
          }
        }}
        emptyText={
          settled === ''
            ? 'Type a name to search.'
            : matches.isFetching
              ? 'Searching…'
              : 'No trip leader or ICT member of staff has that name.'
        }
      />
      <ErrorMessage error={matches.error} title="Could not search the staff." />
    </>
  );
}
