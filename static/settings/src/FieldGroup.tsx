import type { ReactNode } from 'react';
import Heading from '@atlaskit/heading';

/** Related fields inside a card, grouped for assistive technology by a sub-heading as the legend. */
export function FieldGroup({ title, id, children }: { title: string; id?: string; children: ReactNode }) {
  return (
    <fieldset className="field events" id={id} tabIndex={id === undefined ? undefined : -1}>
      <legend>
        <Heading size="small" as="h3">
          {title}
        </Heading>
      </legend>
      {children}
    </fieldset>
  );
}
