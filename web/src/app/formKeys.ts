/**
 * A form's submit handlers, keyboard first: Enter in a field submits as usual, and Ctrl+Enter (⌘+Enter)
 * submits from anywhere in it, a multi-line field included. Spread onto the <form>.
 */
import type { FormEvent, KeyboardEvent } from 'react';

export function submitKeys(submit: () => void) {
  return {
    onSubmit: (event: FormEvent) => {
      event.preventDefault();
      submit();
    },
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    },
  };
}
