// Check-out at the desk (POST /api/loans): the borrower by name, the day it is due back and the
// condition it leaves in. A borrower who has not accepted the current AUP reads it here, and the
// clerk presses "Accepted in person" (the hub records it with the loan, witnessed by the clerk).
// The AUP is shown when the borrower search says so, or when the hub refuses for it (409).
import type { Asset, AupCurrent, CreateLoanRequest, Loan } from '@app/hub-api';
import { MAX_DAYS_AHEAD } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, apiQuery } from '../api/client';
import { Button, dayAt, dayInput, ErrorMessage, formatDay, TextField } from '../ui';
import { BorrowerPicker } from './borrower-picker';
import {
  ASSETS_PATH,
  AUP_PATH,
  isAssetRefusal,
  checkOutErrorsOf,
  isAupRefusal,
  LOANS_PATH,
  type Borrower,
} from './loan-words';

/** Days a loan runs unless the clerk picks another day. */
const DEFAULT_LOAN_DAYS = 7;
/** A loan is due at the end of its day (local time): "due Tuesday" means all of Tuesday. */
const DUE_HOUR = 23;
const DUE_MINUTE = 59;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CheckOutPanelProps {
  asset: Asset;
  /** Called with what was done ("LOAN-001 checked out to …"), or null when cancelled. */
  onDone: (message: string | null) => void;
  /**
   * Called with the hub's reason when the asset is no longer available (another desk checked it
   * out first, or it was sent to repair): the desk shows it as it is now.
   */
  onMoved: (notice: string) => void;
}

export function CheckOutPanel({ asset, onDone, onMoved }: CheckOutPanelProps) {
  const client = useQueryClient();
  const [borrower, setBorrower] = useState<Borrower | null>(null);
  const [dueDay, setDueDay] = useState(dayInput(DEFAULT_LOAN_DAYS));
  const [condition, setCondition] = useState(asset.condition ?? 'Good');
  const [witnessed, setWitnessed] = useState(false);
  /** The hub refused for the AUP although the search said it was accepted (a new version). */
  const [hubWantsAup, setHubWantsAup] = useState(false);
  const aupNeeded = Boolean(borrower) && (hubWantsAup || borrower?.aupAccepted === false);
  const dueAt = dayAt(dueDay, DUE_HOUR, DUE_MINUTE);

  const checkOut = useMutation({
    mutationFn: () => {
      const body: CreateLoanRequest = {
        assetTag: asset.assetTag,
        borrowerId: (borrower as Borrower).id,
        dueAt: dueAt as string,
        ...(condition.trim() ? { conditionOut: condition.trim() } : {}),
        ...(aupNeeded && witnessed ? { aupAcceptedAtDesk: true } : {}),
      };
      return api<Loan>(LOANS_PATH, { method: 'POST', body });
    },
    onSuccess: async (loan) => {
      await Promise.all([
        client.invalidateQueries({ queryKey: [ASSETS_PATH] }),
        client.invalidateQueries({ queryKey: [LOANS_PATH] }),
      ]);
      onDone(
        `${loan.assetTag} checked out to ${borrower?.displayName ?? 'the borrower'}, due ${formatDay(loan.dueAt)}.`,
      );
    },
    onError: (error) => {
      if (isAupRefusal(error)) {
        setHubWantsAup(true);
      } else if (isAssetRefusal(error)) {
        onMoved(
          `${error.message.replace(/\.$/, '')}. Someone else has just dealt with it: here it is as it is now.`,
        );
      }
    },
  });

  const dueError =
    dueAt === null
      ? 'Choose the day it is due back.'
      : new Date(dueAt).getTime() < Date.now()
        ? 'The due day has passed: choose today or a later day.'
        : new Date(dueAt).getTime() > Date.now() + MAX_DAYS_AHEAD * DAY_MS
          ? 'The due day is more than a year away: check the year.'
          : null;
  // An unknown tag is said at the asset, an unknown or disabled borrower at the borrower field,
  // by the hub's code (both are 404s); anything else above the buttons.
  // A 400 says each of its parts beside its own field (checkOutErrorsOf).
  const placed = checkOutErrorsOf(checkOut.error);
  const blocked = !borrower
    ? 'Choose the borrower first.'
    : borrower.disabled
      ? `${borrower.displayName}'s account is disabled: loans go to active staff accounts only.`
      : aupNeeded && !witnessed
        ? `${borrower.displayName} must accept the acceptable use policy first (below).`
        : dueError;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!blocked) {
      checkOut.mutate();
    }
  };

  return (
    <section className="desk-panel" aria-labelledby="desk-panel-title">
      <h2 id="desk-panel-title">Check out {asset.assetTag}</h2>
      <p className="desk-asset">
        {[asset.model, asset.serialNumber ? `serial ${asset.serialNumber}` : null]
          .filter(Boolean)
          .join(', ') || 'Available'}
      </p>
      {placed.asset ? (
        <p className="error-message" role="alert">
          {placed.asset} It was removed or given another tag after it was scanned: scan it again.
        </p>
      ) : null}
      <Form className="form desk-form" onSubmit={submit}>
        {/* The office person's next step after the scan: the focus goes there (the desk). */}
        <BorrowerPicker
          autoFocus
          picked={borrower}
          onPick={(next) => {
            setBorrower(next);
            setWitnessed(false);
            setHubWantsAup(false);
            checkOut.reset();
          }}
          errorMessage={placed.byField.borrowerId ?? null}
        />
        <TextField
          label="Due back"
          type="date"
          value={dueDay}
          onChange={setDueDay}
          errorMessage={dueError ?? placed.byField.dueAt ?? null}
          isRequired
        />
        <TextField
          label="Condition going out"
          description="As the clerk sees it now: scratches, missing keys, charger included."
          value={condition}
          onChange={setCondition}
          errorMessage={placed.byField.conditionOut ?? null}
        />
        {aupNeeded && borrower ? (
          <AupAtDesk
            borrowerName={borrower.displayName}
            witnessed={witnessed}
            onWitnessed={() => {
              setWitnessed(true);
              checkOut.reset();
            }}
          />
        ) : null}
        <ErrorMessage
          error={checkOut.error}
          title="Could not check it out."
          message={placed.form}
        />
        {blocked && borrower ? <p className="desk-blocked">{blocked}</p> : null}
        <div className="desk-buttons">
          <Button
            type="submit"
            variant="primary"
            isDisabled={Boolean(blocked)}
            isPending={checkOut.isPending}
          >
            Check out
          </Button>
          <Button onPress={() => onDone(null)}>Cancel</Button>
        </div>
      </Form>
    </section>
  );
}

/**
 * The current AUP to read at the desk, and the clerk's "Accepted in person". The hub records the
 * acceptance in the loan's own transaction (the text's hash, the time, the clerk as witness).
 */
function AupAtDesk(props: { borrowerName: string; witnessed: boolean; onWitnessed: () => void }) {
  const aup = useQuery(apiQuery<AupCurrent>(AUP_PATH));
  return (
    <div className="desk-aup" role="group" aria-labelledby="desk-aup-title">
      <h3 id="desk-aup-title">{props.borrowerName} has not accepted the acceptable use policy</h3>
      <p>
        Staff accept it before they use school equipment, and issued laptops are for staff use only.
        Ask {props.borrowerName} to read it here.
      </p>
      <ErrorMessage error={aup.error} title="Could not read the policy." />
      {aup.data ? (
        <div className="aup-text" tabIndex={0} role="document" aria-label="Acceptable use policy">
          {aup.data.text}
        </div>
      ) : null}
      {props.witnessed ? (
        <p className="desk-witnessed" role="status">
          <span aria-hidden="true">✓ </span>
          Accepted in person: you are recorded as the witness when you check it out.
        </p>
      ) : (
        <Button onPress={props.onWitnessed} isDisabled={!aup.data}>
          Accepted in person
        </Button>
      )}
    </div>
  );
}
