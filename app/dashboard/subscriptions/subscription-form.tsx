'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '../../_components/button';
import { describeError } from '../../_components/errors';
import { FormActions } from '../../_components/form';
import { IconSpinner } from '../../_components/icons';
import { DeliveryFields } from './delivery-fields';
import { DeliveryOptions } from './delivery-options';
import { authenticationValue, EndpointAuthFields } from './endpoint-auth-fields';
import { RoutingFields } from './routing-fields';
import { initialDraft, splitChannels, splitPatterns, type SubscriptionDraft } from './subscription-draft';
import { fieldNames, type FieldName, type FormErrors, type SubscriptionValues } from './subscription-values';
import { TransformField } from './transform-field';
import { apiProblems, autoDisableValue, validate } from './validate-subscription';

/** Create or edit a subscription. Errors show under their field, from this check or from the API. */
export function SubscriptionForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: SubscriptionValues;
  submitLabel: string;
  onSubmit: (v: SubscriptionValues) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(() => initialDraft(initial));
  const editing = initial !== undefined;
  const [errors, setErrors] = useState<FormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<SubscriptionDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const clearError = (field: FieldName) =>
    setErrors((e) => {
      const { [field]: _, ...rest } = e;
      return rest;
    });
  const section = { draft, set, errors, clearError };

  /** Puts the focus on the first field with an error. */
  function focusFirst(found: FormErrors) {
    const first = fieldNames.find((f) => found[f]);
    if (first) document.getElementById(`sub-${first}`)?.focus();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const { errors: found, parsed } = validate(
      {
        url: draft.url,
        patterns: splitPatterns(draft.patterns),
        channels: splitChannels(draft.channels),
        description: draft.description,
        rate: draft.rate,
        filter: draft.filter,
        headers: draft.headers,
        scheme: draft.scheme,
        traceContext: draft.traceContext,
        strictOrdering: draft.strictOrdering,
        transform: draft.transform,
      },
      autoDisableValue(draft.autoDisableHours, draft.autoDisableNever, initial?.autoDisableAfterHours, editing),
      authenticationValue(draft.auth, initial?.authInfo),
    );
    setErrors(found);
    if (!parsed) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(parsed);
    } catch (err) {
      const { found, other } = apiProblems(err);
      setErrors(found);
      if (other.length || !Object.keys(found).length)
        setFormError(other.length ? other.join('\n') : describeError(err));
      focusFirst(found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
      <RoutingFields {...section} />
      <DeliveryFields
        {...section}
        editing={editing}
        savedHeaders={!!(initial?.headers && Object.keys(initial.headers).length)}
      />
      <TransformField {...section} />
      <EndpointAuthFields
        draft={draft.auth}
        onChange={(auth) => {
          set({ auth });
          clearError('auth');
        }}
        initial={initial?.authInfo}
        error={errors.auth}
        onFileError={(message) => setErrors((e) => ({ ...e, auth: message }))}
      />
      <DeliveryOptions draft={draft} set={set} />
      {formError && (
        <p
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm whitespace-pre-line text-red-700 dark:bg-red-950/50 dark:text-red-300"
        >
          {formError}
        </p>
      )}
      <FormActions onCancel={onCancel}>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy && <IconSpinner className="size-3.5 animate-spin" />}
          {submitLabel}
        </Button>
      </FormActions>
    </form>
  );
}
