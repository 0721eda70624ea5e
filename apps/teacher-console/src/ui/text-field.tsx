// A labelled text input with its description and its error beside it (a hub error about this
// field goes in `errorMessage`), on react-aria-components' TextField.
import type { ReactNode } from 'react';
import { plainFieldNames } from '@app/hub-api';
import {
  FieldError,
  Input,
  Label,
  Text,
  TextField as AriaTextField,
  type TextFieldProps as AriaTextFieldProps,
} from 'react-aria-components';

export interface TextFieldProps extends Omit<AriaTextFieldProps, 'className' | 'children'> {
  label: string;
  /** Help under the label, read with the field. */
  description?: ReactNode;
  /** Shown beside the field and makes it invalid (a hub error about this field). */
  errorMessage?: string | null;
  placeholder?: string;
}

export function TextField({
  label,
  description,
  errorMessage,
  placeholder,
  ...props
}: TextFieldProps) {
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
      <Input className="field-input" placeholder={placeholder} />
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
    </AriaTextField>
  );
}
