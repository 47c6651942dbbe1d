import type { ReactNode } from 'react';
import Heading from '@atlaskit/heading';

interface CardProps {
  headingId: string;
  title: string;
  testId?: string;
  /** Shown in one row with the heading (a badge, buttons); without it the heading stands alone. */
  headerExtras?: ReactNode;
  children: ReactNode;
}

/** One section of the page, named by its heading for assistive technology. */
export function Card({ headingId, title, testId, headerExtras, children }: CardProps) {
  const heading = (
    <Heading size="medium" as="h2" id={headingId}>
      {title}
    </Heading>
  );
  return (
    <section className="card" aria-labelledby={headingId} data-testid={testId}>
      {headerExtras === undefined ? (
        heading
      ) : (
        <div className="actions">
          {heading}
          {headerExtras}
        </div>
      )}
      {children}
    </section>
  );
}
