// Text a person copies somewhere else (an enrolment token, a command line): shown read-only with
// a label, and a button that copies it with the Clipboard API. Where the browser does not allow
// that (an http:// address other than this computer, or permission refused), the text is
// selected instead and the page says in words how to copy it.
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from './button';

export interface CopyTextProps {
  label: string;
  value: string;
  /** The button's text ("Copy token"). */
  copyLabel: string;
  /** Visible lines (long commands wrap). */
  rows?: number;
}

export function CopyText({ label, value, copyLabel, rows = 1 }: CopyTextProps) {
  const id = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  const [result, setResult] = useState<'copied' | 'by-hand' | null>(null);
  useEffect(() => setResult(null), [value]);

  const copy = async () => {
    // navigator.clipboard is undefined outside a secure context, whatever TypeScript says.
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (clipboard?.writeText) {
      try {
        await clipboard.writeText(value);
        setResult('copied');
        return;
      } catch {
        // Refused (no permission, or the page lost focus): fall back to selecting it.
      }
    }
    field.current?.focus();
    field.current?.select();
    setResult('by-hand');
  };

  return (
    <div className="field copy-text">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="copy-text-row">
        <textarea
          id={id}
          ref={field}
          className="field-input copy-text-value"
          readOnly
          rows={rows}
          value={value}
          spellCheck={false}
        />
        <Button onPress={() => void copy()}>{copyLabel}</Button>
      </div>
      <p className="copy-text-result" role="status">
        {result === 'copied'
          ? 'Copied.'
          : result === 'by-hand'
            ? 'This browser does not let the page copy here. The text is selected: copy it with Ctrl+C (⌘C on a Mac), or touch and hold it on an iPad.'
            : ''}
      </p>
    </div>
  );
}
