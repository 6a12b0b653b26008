/**
 * A SegmentedControl with a visible label that names it for screen readers (a <label> cannot:
 * the control is a radio group, not one input). Arrow keys move between the choices.
 */
import { SegmentedControl, Stack, Text } from '@mantine/core';

export function LabelledSegments<T extends string>({
  id,
  label,
  value,
  choices,
  onChange,
  disabled = false,
  testId,
}: {
  /** The label's element id, unique on the page. */
  id: string;
  label: string;
  value: T;
  choices: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={id}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={id}
        value={value}
        onChange={(v) => {
          const chosen = choices.find((c) => c.value === v);
          if (chosen) onChange(chosen.value);
        }}
        data={[...choices]}
        disabled={disabled}
        data-testid={testId}
      />
    </Stack>
  );
}
