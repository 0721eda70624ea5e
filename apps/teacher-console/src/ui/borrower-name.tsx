// Who has a loan, as the office reads it on the overdue list, the assets list, an asset's page and
// the desk: their name, and "Account disabled" in words beside it (a dashed badge, not colour
// alone) when ICT has disabled their account because they have left the school. The hub sends
// such a borrower no reminders, so where the office chases loans it also says to chase it another
// way. In ui/ because the loans and assets features both show it and may not import each other.

/** What the office is told of a loan whose borrower's account is disabled. */
export const CHASE_ANOTHER_WAY = 'No reminders go to a disabled account: chase it another way.';

export interface BorrowerNameProps {
  /** The borrower's display name. */
  name: string;
  /** Whether their account is disabled now (`Loan.borrowerDisabled`). */
  disabled: boolean;
  /** Also say, on a line of its own, that no reminders go to them (CHASE_ANOTHER_WAY). */
  chase?: boolean;
}

/** A borrower's name, with "Account disabled" beside it when it is (and why that matters). */
export function BorrowerName({ name, disabled, chase }: BorrowerNameProps) {
  if (!disabled) {
    return <>{name}</>;
  }
  return (
    <span className="borrower-name">
      <span>
        {name} <span className="badge badge-off">Account disabled</span>
      </span>
      {chase ? <span className="borrower-chase">{CHASE_ANOTHER_WAY}</span> : null}
    </span>
  );
}
