// The console's button: react-aria-components' Button (press by mouse, touch and keyboard, a
// focus ring only for the keyboard), at least 44 px, in three kinds.
import { useRef } from 'react';
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
   * second press within DOUBLE_PRESS_MS of the first.
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
  const startsWork = isPending !== undefined;
  return (
    <AriaButton
      {...props}
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
