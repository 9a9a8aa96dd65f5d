'use client';

import {
  ENDPOINT_AUTH_LIMITS,
  mtlsAuthentication,
  oauth2Authentication,
  type EndpointAuthenticationInput,
} from '@/server/domain/delivery/inputs';
import { describedBy, Field, InlineCheckbox, Input, Select } from '../../_components/form';
import { CalendarDate } from '../../_components/time';
import type { Subscription } from '../_components/types';
import { REDACTED } from './filter-and-headers';
import { PemField } from './pem-field';

/**
 * The subscription form's endpoint auth: none, a client certificate (mTLS: PEM pasted or
 * loaded from a file) or OAuth2 client credentials. Secrets are never shown again: editing a saved
 * subscription keeps its certificate unless it is replaced, and its client secret unless a new one
 * is typed (sent as "[redacted]", which the API reads as "keep it").
 */
export type AuthInfo = Subscription['auth'];
type AuthMode = 'none' | 'mtls' | 'oauth2';

export type AuthDraft = {
  mode: AuthMode;
  /** Editing a subscription that has a certificate: replace it (otherwise it is kept as it is). */
  replaceCertificate: boolean;
  certificate: string;
  privateKey: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
};

export function initialAuthDraft(info: AuthInfo | undefined): AuthDraft {
  return {
    mode: info?.type ?? 'none',
    replaceCertificate: false,
    certificate: '',
    privateKey: '',
    tokenUrl: info?.type === 'oauth2' ? info.tokenUrl : '',
    clientId: info?.type === 'oauth2' ? info.clientId : '',
    clientSecret: '',
    scope: info?.type === 'oauth2' ? (info.scope ?? '') : '',
  };
}

const LABELS: Record<string, string> = {
  certificate: 'Certificate',
  privateKey: 'Private key',
  tokenUrl: 'Token URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  scope: 'Scope',
  type: 'Type',
};

/** An API (or schema) problem inside `auth`, in words: "Private key: does not belong …". */
export function authProblem(inner: string, message: string): string {
  return inner ? `${LABELS[inner] ?? inner}: ${message}` : message;
}

/**
 * What the form sends as `auth`: undefined leaves it as it is (nothing to send), null
 * removes it. Checked with the API's own schemas; the API checks the certificate itself.
 */
export function authenticationValue(
  draft: AuthDraft,
  initial: AuthInfo | undefined,
): { value?: EndpointAuthenticationInput | null; error?: string } {
  if (draft.mode === 'none') return { value: initial ? null : undefined };
  if (draft.mode === 'mtls') {
    if (initial?.type === 'mtls' && !draft.replaceCertificate) return {};
    if (!draft.certificate.trim() || !draft.privateKey.trim())
      return { error: 'Give the client certificate and its private key, both in PEM.' };
    return checked(
      mtlsAuthentication.safeParse({ type: 'mtls', certificate: draft.certificate, privateKey: draft.privateKey }),
    );
  }
  const keep = initial?.type === 'oauth2' && draft.clientSecret === '';
  if (
    keep &&
    draft.tokenUrl === initial.tokenUrl &&
    draft.clientId === initial.clientId &&
    draft.scope.trim() === (initial.scope ?? '')
  )
    return {};
  if (!draft.tokenUrl.trim() || !draft.clientId.trim() || (!keep && !draft.clientSecret))
    return { error: 'Give the token URL, the client ID and the client secret.' };
  return checked(
    oauth2Authentication.safeParse({
      type: 'oauth2',
      tokenUrl: draft.tokenUrl.trim(),
      clientId: draft.clientId.trim(),
      clientSecret: keep ? REDACTED : draft.clientSecret,
      ...(draft.scope.trim() && { scope: draft.scope.trim() }),
    }),
  );
}

function checked(
  result: ReturnType<typeof mtlsAuthentication.safeParse> | ReturnType<typeof oauth2Authentication.safeParse>,
): {
  value?: EndpointAuthenticationInput;
  error?: string;
} {
  if (result.success) return { value: result.data };
  return { error: result.error.issues.map((i) => authProblem(String(i.path[0] ?? ''), i.message)).join('\n') };
}

/** The mTLS fields, each a PEM pasted or loaded from a file. */
const pemFields = [
  {
    field: 'certificate',
    id: 'sub-auth-certificate',
    label: 'Certificate (PEM)',
    hint: 'The client certificate, then any intermediate certificates.',
    placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----',
    limit: ENDPOINT_AUTH_LIMITS.certificateChars,
  },
  {
    field: 'privateKey',
    id: 'sub-auth-privateKey',
    label: 'Private key (PEM)',
    hint: 'Unencrypted. Hookrelay encrypts it at rest and never shows it again.',
    placeholder: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----',
    limit: ENDPOINT_AUTH_LIMITS.privateKeyChars,
  },
] as const;

/** The OAuth2 client-credentials fields (`wide`: across both columns from the small breakpoint on). */
const oauth2Fields: Array<{
  key: 'tokenUrl' | 'clientId' | 'clientSecret' | 'scope';
  label: string;
  optional?: boolean;
  wide?: boolean;
  mono?: boolean;
  type?: string;
  autoComplete: string;
  placeholder?: string;
}> = [
  {
    key: 'tokenUrl',
    label: 'Token URL',
    wide: true,
    mono: true,
    type: 'url',
    autoComplete: 'off',
    placeholder: 'https://auth.example.com/oauth/token',
  },
  { key: 'clientId', label: 'Client ID', mono: true, autoComplete: 'off' },
  { key: 'clientSecret', label: 'Client secret', type: 'password', autoComplete: 'new-password' },
  {
    key: 'scope',
    label: 'Scope',
    optional: true,
    wide: true,
    mono: true,
    autoComplete: 'off',
    placeholder: 'webhooks:write',
  },
];

export function EndpointAuthFields({
  draft,
  onChange,
  initial,
  error,
  onFileError,
}: {
  draft: AuthDraft;
  onChange: (d: AuthDraft) => void;
  initial: AuthInfo | undefined;
  error?: string | undefined;
  onFileError: (message: string) => void;
}) {
  const set = (patch: Partial<AuthDraft>) => onChange({ ...draft, ...patch });
  const showPem = draft.mode === 'mtls' && (initial?.type !== 'mtls' || draft.replaceCertificate);
  return (
    <Field
      id="sub-authentication"
      label="Endpoint authentication"
      optional
      error={error}
      hint="Besides the signature, how Hookrelay proves itself to your endpoint: a TLS client certificate (mTLS), or an OAuth2 access token in the Authorization header."
    >
      <Select
        id="sub-authentication"
        name="authenticationType"
        value={draft.mode}
        onChange={(e) =>
          set({ mode: (['none', 'mtls', 'oauth2'] as const).find((m) => m === e.target.value) ?? 'none' })
        }
        aria-invalid={!!error}
        aria-describedby={describedBy('sub-authentication', error, true)}
        className="sm:w-96"
      >
        <option value="none">None (signature only)</option>
        <option value="mtls">Client certificate (mTLS)</option>
        <option value="oauth2">OAuth2 client credentials</option>
      </Select>
      {draft.mode === 'mtls' && (
        <div className="mt-3 space-y-3 rounded-md p-3 ring-1 ring-zinc-200 ring-inset dark:ring-zinc-800">
          {initial?.type === 'mtls' && (
            <div className="text-sm">
              <p>
                Current certificate: <span className="font-mono text-xs break-all">{initial.subject}</span>, expires{' '}
                <CalendarDate at={initial.notAfter} />.
              </p>
              <InlineCheckbox
                name="replaceCertificate"
                checked={draft.replaceCertificate}
                onChange={(replaceCertificate) => set({ replaceCertificate })}
                className="mt-1.5"
              >
                Replace it
              </InlineCheckbox>
            </div>
          )}
          {showPem &&
            pemFields.map(({ field, ...f }) => (
              <PemField
                key={field}
                {...f}
                value={draft[field]}
                onText={(text) => set({ [field]: text })}
                onFileError={onFileError}
              />
            ))}
        </div>
      )}
      {draft.mode === 'oauth2' && (
        <div className="mt-3 grid gap-3 rounded-md p-3 ring-1 ring-zinc-200 ring-inset sm:grid-cols-2 dark:ring-zinc-800">
          {oauth2Fields.map((f) => (
            <label key={f.key} className={f.wide ? 'text-sm sm:col-span-2' : 'text-sm'}>
              <span className="mb-1 block font-medium">
                {f.label}
                {f.optional && (
                  <>
                    {' '}
                    <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
                  </>
                )}
              </span>
              <Input
                name={f.key}
                type={f.type}
                autoComplete={f.autoComplete}
                // The saved client secret is never shown: an empty field keeps it.
                placeholder={
                  f.key === 'clientSecret' ? (initial?.type === 'oauth2' ? 'Unchanged' : undefined) : f.placeholder
                }
                value={draft[f.key]}
                onChange={(e) => set({ [f.key]: e.target.value })}
                className={f.mono ? 'font-mono' : undefined}
              />
            </label>
          ))}
        </div>
      )}
    </Field>
  );
}
