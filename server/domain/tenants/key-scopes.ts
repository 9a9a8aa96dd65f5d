import { DomainError } from '../errors';
import { KEY_SCOPES, type KeyScope, type Scope } from '../context';

/**
 * What a customer API key may do. Every procedure needs one: `publish` (POST /events, /events/batch),
 * `read` (every read), `manage` (every other change: subscriptions, replays, …) and `keys` (create,
 * list and revoke API keys). A key without the scope a call needs gets a 403 naming it.
 *
 * Least privilege by default: a key created without `scopes` gets DEFAULT_KEY_SCOPES (publish and
 * read: what a service that sends events and looks at their deliveries needs). A key may create keys
 * only with scopes it holds itself. Platform keys and dashboard sessions hold every scope (a read-only
 * session is refused every change by assertWritable).
 */
const DEFAULT_KEY_SCOPES: readonly KeyScope[] = ['publish', 'read'];

/** The scopes `scope` holds: a customer key's own, or every one. */
function scopesOf(scope: Scope): readonly KeyScope[] {
  return scope.kind === 'customer' && scope.keyScopes ? scope.keyScopes : KEY_SCOPES;
}

/** 403 naming the scope when the caller's key lacks it. */
export function requireKeyScope(scope: Scope, needed: KeyScope): void {
  if (!scopesOf(scope).includes(needed))
    throw new DomainError('forbidden', `this API key lacks the "${needed}" scope`, { field: 'scopes' });
}

/** A new key's scopes: those asked for (in canonical order) or the default; never more than the creator holds. */
export function scopesForNewKey(creator: Scope, requested: readonly KeyScope[] | undefined): KeyScope[] {
  const wanted = requested ?? DEFAULT_KEY_SCOPES;
  const held = scopesOf(creator);
  const excess = wanted.filter((s) => !held.includes(s));
  if (excess.length)
    throw new DomainError(
      'forbidden',
      `a key cannot grant scopes it does not hold: ${excess.map((s) => `"${s}"`).join(', ')}`,
      { field: 'scopes' },
    );
  return KEY_SCOPES.filter((s) => wanted.includes(s));
}
