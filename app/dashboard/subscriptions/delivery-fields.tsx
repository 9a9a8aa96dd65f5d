'use client';

import { signatureSchemes } from '@/drizzle/schema/values';
import { Field, FormField, InlineCheckbox, Input, Select, Textarea } from '../../_components/form';
import { REDACTED } from './filter-and-headers';
import type { DraftSection } from './subscription-draft';

/**
 * How events are delivered: a description, the rate limit, when failing attempts disable the
 * subscription, the signature scheme (at creation only) and custom headers. `savedHeaders`: the
 * subscription being edited has headers, whose values are never shown again.
 */
export function DeliveryFields({
  draft,
  set,
  errors,
  editing,
  savedHeaders,
}: DraftSection & { editing: boolean; savedHeaders: boolean }) {
  return (
    <>
      <Field id="sub-description" label="Description" optional error={errors.description}>
        <Input
          id="sub-description"
          name="description"
          value={draft.description}
          onChange={(e) => set({ description: e.target.value })}
          placeholder="Production order sync"
          aria-invalid={!!errors.description}
        />
      </Field>
      <FormField
        id="sub-rateLimitPerSecond"
        label="Rate limit"
        optional
        error={errors.rateLimitPerSecond}
        hint="Most requests per second to this endpoint. Empty: no limit."
      >
        {(control) => (
          <Input
            {...control}
            name="rateLimitPerSecond"
            inputMode="decimal"
            value={draft.rate}
            onChange={(e) => set({ rate: e.target.value })}
            placeholder="e.g. 50"
            className="w-40"
          />
        )}
      </FormField>
      <FormField
        id="sub-autoDisableAfterHours"
        label="Auto-disable after"
        optional={!editing}
        error={errors.autoDisableAfterHours}
        hint={
          editing
            ? 'Hookrelay disables the subscription, holding its deliveries, once every attempt has failed for this many hours.'
            : "Hookrelay disables the subscription, holding its deliveries, once every attempt has failed for this many hours. Empty: the service's default (AUTO_DISABLE_AFTER_HOURS, 120 hours unless your operator set another)."
        }
      >
        {(control) => (
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
            <span className="flex items-center gap-2">
              <Input
                {...control}
                name="autoDisableAfterHours"
                inputMode="decimal"
                value={draft.autoDisableNever ? '' : draft.autoDisableHours}
                onChange={(e) => set({ autoDisableHours: e.target.value })}
                disabled={draft.autoDisableNever}
                placeholder={editing ? undefined : 'e.g. 48'}
                className="w-28"
              />
              <span className="text-sm text-zinc-600 dark:text-zinc-400">hours</span>
            </span>
            <InlineCheckbox
              name="autoDisableNever"
              checked={draft.autoDisableNever}
              onChange={(autoDisableNever) => set({ autoDisableNever })}
              className="text-sm"
              inputClassName="rounded border-zinc-300 dark:border-zinc-700"
            >
              Never disable it
            </InlineCheckbox>
          </div>
        )}
      </FormField>
      {editing ? null : (
        <FormField
          id="sub-signatureScheme"
          label="Signature scheme"
          error={errors.signatureScheme}
          hint={
            draft.scheme === 'v1a'
              ? 'Ed25519: receivers verify with a public key (whpk_…) that may be shared freely; the signing key never leaves Hookrelay. Cannot be changed later.'
              : 'HMAC-SHA256 with a shared secret (whsec_…) that you and your receiver keep private. Most Standard Webhooks libraries verify it. Cannot be changed later.'
          }
        >
          {(control) => (
            <Select
              {...control}
              name="signatureScheme"
              value={draft.scheme}
              onChange={(e) => set({ scheme: signatureSchemes.find((s) => s === e.target.value) ?? 'v1' })}
              className="sm:w-96"
            >
              <option value="v1">v1: HMAC-SHA256, shared secret (default)</option>
              <option value="v1a">v1a: Ed25519, public key</option>
            </Select>
          )}
        </FormField>
      )}
      <FormField
        id="sub-headers"
        label="Custom headers"
        optional
        error={errors.headers}
        hint={
          savedHeaders
            ? `One "Name: value" a line, sent with every delivery. Values are secrets and never shown again: keep ${REDACTED} to keep a value, or type a new one.`
            : 'One "Name: value" a line, sent with every delivery (e.g. Authorization: Bearer …). Values are secrets: they are never shown again.'
        }
      >
        {(control) => (
          <Textarea
            {...control}
            name="headers"
            rows={2}
            placeholder="Authorization: Bearer …"
            value={draft.headers}
            onChange={(e) => set({ headers: e.target.value })}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
          />
        )}
      </FormField>
    </>
  );
}
