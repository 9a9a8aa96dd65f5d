'use client';

import type { ReactNode } from 'react';
import { Dialog } from './dialog';
import { FormActions } from './form';

/**
 * A dialog holding one form: submitting it (Enter too) calls `onSubmit` instead of loading a page.
 * Its buttons come last: Cancel closes the dialog, then `actions` (the submit button).
 */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  onSubmit,
  actions,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description: ReactNode;
  onSubmit: () => void;
  actions: ReactNode;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <FormActions onCancel={onClose}>{actions}</FormActions>
      </form>
    </Dialog>
  );
}
