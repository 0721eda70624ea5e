// Where a page or form says what went wrong, in plain words, announced to screen readers.
import { describeError } from '../api/client';

export interface ErrorMessageProps {
  /** An ApiError (its plain words) or anything thrown; nothing is shown for null/undefined. */
  error: unknown;
  /** Words before the error ("Could not sign in."). */
  title?: string;
  /**
   * Words to say in place of the error's own (the parts of a 400 that no field shows); null says
   * nothing (every part is beside its field), undefined the error's own words.
   */
  message?: string | null;
}

export function ErrorMessage({ error, title, message }: ErrorMessageProps) {
  if (error === null || error === undefined || message === null) {
    return null;
  }
  return (
    <div className="error-message" role="alert">
      {title ? <strong>{title} </strong> : null}
      {message ?? describeError(error)}
    </div>
  );
}

/** A polite status line: "Loading devices…", "Saved.". */
export function StatusMessage({ children }: { children: React.ReactNode }) {
  return (
    <p className="status-message" role="status">
      {children}
    </p>
  );
}
