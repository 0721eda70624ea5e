// The console's button: react-aria-components' Button (press by mouse, touch and keyboard, a
// focus ring only for the keyboard), at least 44 px, in three kinds.
import { useEffect, useRef } from 'react';
import { Button as AriaButton, type ButtonProps as AriaButtonProps } from 'react-aria-components';

/**
 * How long (ms) after a press a button that starts work (one given `isPending`) ignores another:
 * a double tap, whose second tap lands before the page has drawn the button as busy.
 */
export const DOUBLE_PRESS_MS = 500;

export interface ButtonProps extends Omit<AriaButtonProps, 'className' | 'isPending'> {
  /** primary: the page's main action; danger: something that cannot be undone. */
  variant?: 'primary' | 'secondary' | 'danger';
  /**
   * The action is running: the button cannot be pressed again and says it is busy. Not React
   * Aria's own isPending: its announcement points at the button by id, and a button that goes
   * away when the work is done (sign-in, "I accept") leaves that reference dangling, which axe
   * reports as a serious violation. A button given this prop (even `false`) also ignores a
   * second press within DOUBLE_PRESS_MS of the first by its onPress; a `type="submit"` one
   * ignores the second click of a double click or tap (the browser's click count, `detail`,
   * above 1), which would send its form again, so "Make group" sends one request.
   */
  isPending?: boolean;
}

export function Button({
  variant = 'secondary',
  isPending,
  isDisabled,
  onPress,
  ...props
}: ButtonProps) {
  const lastPress = useRef(-Infinity);
  const element = useRef<HTMLButtonElement>(null);
  /** When (event.timeStamp) a click last sent the form, until the button is drawn busy. */
  const lastSend = useRef<number | null>(null);
  const startsWork = isPending !== undefined;
  const sendsForm = props.type === 'submit';
  useEffect(() => {
    if (isPending) {
      lastSend.current = null;
    }
  }, [isPending]);
  useEffect(() => {
    const button = element.current;
    if (!startsWork || !sendsForm || !button) {
      return undefined;
    }
    // The form is sent by the browser's own click on the button (React Aria's onPress is not
    // called for it), and the busy, disabled button is drawn only after the form's handler has
    // started the request: the second click of a double click would send the form again. The
    // browser counts the clicks in a row in `detail` (0 by the keyboard or Enter in a field, so
    // a scanner's next tag is never a double press); a click counted on from one that was
    // answered meanwhile (the button was busy since) is a new press.
    const ignoreRepeatClick = (event: MouseEvent) => {
      const sent = lastSend.current;
      if (event.detail > 1 && sent !== null && event.timeStamp - sent < DOUBLE_PRESS_MS) {
        event.preventDefault();
        return;
      }
      lastSend.current = event.timeStamp;
    };
    button.addEventListener('click', ignoreRepeatClick, true);
    return () => button.removeEventListener('click', ignoreRepeatClick, true);
  }, [startsWork, sendsForm]);
  return (
    <AriaButton
      {...props}
      ref={element}
      onPress={
        onPress && startsWork
          ? (event) => {
              const now = performance.now();
              if (now - lastPress.current < DOUBLE_PRESS_MS) {
                return;
              }
              lastPress.current = now;
              onPress(event);
            }
          : onPress
      }
      isDisabled={isDisabled || isPending}
      aria-busy={isPending || undefined}
      className={`button button-${variant}${isPending ? ' button-pending' : ''}`}
    />
  );
}
