// A labelled multi-line text input (a list typed one entry a line), with its description and
// the hub's error about it beside it, on react-aria-components' TextField and TextArea.
import type { ReactNode } from 'react';
import { plainFieldNames } from '@app/hub-api';
import {
  FieldError,
  Label,
  Text,
  TextArea as AriaTextArea,
  TextField as AriaTextField,
  type TextFieldProps as AriaTextFieldProps,
} from 'react-aria-components';

export interface TextAreaProps extends Omit<AriaTextFieldProps, 'className' | 'children'> {
  label: string;
  description?: ReactNode;
  /** Shown beside the field and makes it invalid (a hub error about this field). */
  errorMessage?: string | null;
  /** Visible lines. */
  rows?: number;
}

export function TextArea({ label, description, errorMessage, rows = 4, ...props }: TextAreaProps) {
  return (
    <AriaTextField
      {...props}
      className="field"
      isInvalid={errorMessage ? true : props.isInvalid}
      validationBehavior="aria"
    >
      <Label className="field-label">{label}</Label>
      {description ? (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      ) : null}
      <AriaTextArea className="field-input field-textarea" rows={rows} />
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
    </AriaTextField>
  );
}
