/** A small coloured label (the `chip` class) in one of the palette's colour pairs. */
import type { ReactNode } from 'react';
import type { ColourPair } from './palette';

export function Chip({
  colours,
  title,
  testId,
  children,
}: {
  colours: ColourPair;
  title?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <span
      className="chip"
      style={{ color: colours.fg, background: colours.bg }}
      title={title}
      data-testid={testId}
    >
      {children}
    </span>
  );
}
