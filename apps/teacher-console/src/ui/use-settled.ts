// A value once it has stopped changing for a moment: what a type-ahead searches for, so the hub
// is asked once a person pauses, not at every key.
import { useEffect, useState } from 'react';

/**
 * `value` as it was `ms` milliseconds after it last changed (its first value at once).
 *
 * @param value what is typed, e.g. the text of a search box
 * @param ms how long it must stay unchanged, e.g. 250
 */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
