import NextAuth, { CredentialsSignin, type DefaultSession, type Session } from 'next-auth';
import type { JWT } from 'next-auth/jwt';
import Credentials from 'next-auth/providers/credentials';
import { cookies } from 'next/headers';
import { consumePortalToken } from '../domain/tenants/portal-links';
import { verifyPassword } from '../domain/tenants/dashboard-users';
import { formatDuration } from '../domain/wording';
import type { PortalTheme } from '../../drizzle/schema/values';
import { endSessions, sessionVersionOf } from '../domain/tenants/sessions';
import { EMBED_SESSION_COOKIE, sessionKind } from './embed-session';
import { env } from '../env';
import { getWebRuntime } from '../web';
import { clientAddress, createSignInThrottle, type SignInThrottle } from './throttle';

/**
 * Dashboard sign-in (Auth.js): email + password for dashboard users, and a platform-issued
 * single-use portal token (POST /customers/{id}/portal-link) for embedding, optionally read-only.
 * Sessions are JWTs (Credentials requires them) carrying the customer scope; 8 h lifetime. A
 * dashboard user's session also carries the user's session version and ends when it changes:
 * `signOutEverywhere` and a password change (tenants/sessions.ts). Portal sessions (single-use
 * links, possibly read-only) belong to no user and end with their lifetime or their cookie.
 */
declare module 'next-auth' {
  interface User {
    customerId?: string;
    readOnly?: boolean;
    theme?: PortalTheme | null;
    /** The user's session version at sign-in (tenants/sessions.ts); absent for portal sessions. */
    sessionVersion?: number;
  }
  interface Session {
    /** `theme`: embed sessions only (the embed link's). */
    user: { id: string; customerId: string; readOnly: boolean; theme?: PortalTheme | null } & DefaultSession['user'];
  }
}

/** A password sign-in refused by the throttle, before the password is checked. */
export class SignInThrottled extends CredentialsSignin {
  override code = 'throttled';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-in attempts; try again in ${formatDuration(retryAfterSeconds)}`);
  }
}

/** The process's sign-in throttle, on globalThis like the web runtime: route handlers and server actions share it. */
const holder = globalThis as unknown as { __hookrelaySignInThrottle?: SignInThrottle };
export function signInThrottle(): SignInThrottle {
  const environment = env();
  holder.__hookrelaySignInThrottle ??= createSignInThrottle({
    perEmail: environment.SIGNIN_MAX_FAILURES_PER_EMAIL,
    perIp: environment.SIGNIN_MAX_FAILURES_PER_IP,
    windowMs: environment.SIGNIN_FAILURE_WINDOW_SECONDS * 1000,
  });
  return holder.__hookrelaySignInThrottle;
}

/**
 * Auth.js's own HTTP sign-in (POST /api/auth/callback/password) answers a throttled attempt with 429
 * and Retry-After instead of a redirect to the sign-in page. (The dashboard's form signs in through
 * a server action, which shows the wait instead; `authorize` enforces the limit on both paths.)
 */
export async function throttledPasswordCallback(req: Request): Promise<Response | null> {
  if (!new URL(req.url).pathname.endsWith('/callback/password')) return null;
  let email: unknown = null;
  try {
    email = (await req.clone().formData()).get('email');
  } catch {
    return null; // not a form: Auth.js refuses it itself
  }
  if (typeof email !== 'string') return null;
  const wait = signInThrottle().retryAfterSeconds({ email, ip: clientAddress(req.headers) });
  if (wait === 0) return null;
  return Response.json(
    {
      error: {
        code: 'rate_limited',
        message: `too many failed sign-in attempts; try again in ${formatDuration(wait)}`,
      },
    },
    { status: 429, headers: { 'retry-after': String(wait) } },
  );
}

/**
 * Sign-in with a portal link's one-time token: a session for the link's customer (read-only if the
 * link is), carrying the link's theme when the portal is embedded.
 */
function portalLink(id: string, name: string, { embed }: { embed: boolean }) {
  return Credentials({
    id,
    name,
    credentials: { token: { type: 'text' } },
    authorize: async (c) => {
      if (typeof c?.token !== 'string') return null;
      const { ctx } = await getWebRuntime();
      const grant = await consumePortalToken(ctx, c.token, { embed });
      if (!grant) return null;
      const user = {
        id: `portal:${grant.customerId}`,
        name: 'Portal session',
        customerId: grant.customerId,
        readOnly: grant.readOnly,
      };
      return embed ? { ...user, theme: grant.theme } : user;
    },
  });
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 8 * 3600 },
  pages: { signIn: '/login' },
  providers: [
    Credentials({
      id: 'password',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      authorize: async (c, request) => {
        if (typeof c?.email !== 'string' || typeof c.password !== 'string') return null;
        const keys = { email: c.email, ip: clientAddress(request.headers) };
        const throttle = signInThrottle();
        const wait = throttle.retryAfterSeconds(keys);
        if (wait > 0) throw new SignInThrottled(wait);
        const { ctx } = await getWebRuntime();
        const user = await verifyPassword(ctx, c.email, c.password);
        if (!user) {
          throttle.failed(keys);
          return null;
        }
        throttle.succeeded(keys);
        return {
          id: user.id,
          email: user.email,
          customerId: user.customerId,
          readOnly: false,
          sessionVersion: user.sessionVersion,
        };
      },
    }),
    portalLink('portal', 'Portal link', { embed: false }),
  ],
  callbacks: {
    // Runs on every read of the session (each authenticated page and API request): a dashboard
    // user's session ends once its version is no longer the user's (sign-out, password change).
    async jwt({ token, user }) {
      if (user) {
        token.customerId = user.customerId;
        token.readOnly = user.readOnly ?? false;
        if (user.sessionVersion !== undefined) token.sessionVersion = user.sessionVersion;
        return token;
      }
      if (!isUserSession(token.sub)) return token;
      const { ctx } = await getWebRuntime();
      const current = await sessionVersionOf(ctx, token.sub);
      return current !== null && current === token.sessionVersion ? token : null;
    },
    session: ({ session, token }) => withUserOf(session, token),
  },
});

/** What both sessions take from their JWT: who signed in, their customer, and whether read-only. */
function withUserOf(session: Session, token: JWT): Session {
  session.user.id = token.sub ?? '';
  session.user.customerId = typeof token.customerId === 'string' ? token.customerId : '';
  session.user.readOnly = token.readOnly === true;
  return session;
}

/**
 * The embedded portal's sign-in (server/auth/embed-session.ts): embed links only, a cookie of its
 * own that a third-party frame sends (SameSite=None; Secure; Partitioned). Its JWT is sealed with
 * the cookie's name as salt, so it is no dashboard session and a dashboard session is none of it.
 * It carries the link's theme.
 */
const embedCookie = (name: string) => ({
  name,
  options: { httpOnly: true, sameSite: 'none' as const, secure: true, partitioned: true, path: '/' },
});
const embedAuthJs = NextAuth({
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 8 * 3600 },
  pages: { signIn: '/portal/embed' },
  cookies: {
    sessionToken: embedCookie(EMBED_SESSION_COOKIE),
    // Not `hookrelay.embed-session.*`: Auth.js reads every cookie under the session's name as a chunk of it.
    callbackUrl: embedCookie('hookrelay.embed-callback-url'),
    csrfToken: embedCookie('hookrelay.embed-csrf-token'),
  },
  providers: [portalLink('portal-embed', 'Embed portal link', { embed: true })],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.customerId = user.customerId;
        token.readOnly = user.readOnly ?? false;
        token.theme = user.theme ?? null;
      }
      return token;
    },
    session({ session, token }) {
      withUserOf(session, token);
      session.user.theme = typeof token.theme === 'object' && token.theme !== null ? token.theme : null;
      return session;
    },
  },
});
export const signInEmbed = embedAuthJs.signIn;

/** A signed-in dashboard viewer, from either session; `embed` holds the embedded view's theme. */
export type DashboardSession = {
  id: string;
  customerId: string;
  readOnly: boolean;
  label: string;
  embed: { theme: PortalTheme } | null;
};

/**
 * The request's session and its kind (embed-session.ts decides by cookie, as the proxy does): a
 * kind with a null session is a cookie that no longer holds one (expired, or not ours).
 */
export async function dashboardSession(): Promise<{
  kind: 'dashboard' | 'embed' | null;
  session: DashboardSession | null;
}> {
  const kind = sessionKind((await cookies()).getAll().map((c) => c.name));
  if (kind === 'dashboard') {
    const s = await auth();
    return { kind, session: s ? viewerOf(s, s.user.email ?? s.user.name ?? '', null) : null };
  }
  if (kind === 'embed') {
    const s = await embedAuthJs.auth();
    return { kind, session: s ? viewerOf(s, 'Portal session', { theme: s.user.theme ?? {} }) : null };
  }
  return { kind, session: null };
}

/** The viewer a session stands for, with its label and embed view: null when it carries no customer. */
function viewerOf({ user }: Session, label: string, embed: DashboardSession['embed']): DashboardSession | null {
  if (!user.customerId) return null;
  return { id: user.id, customerId: user.customerId, readOnly: user.readOnly, label, embed };
}

/** A dashboard user's session (`usr_…`), not a portal one (`portal:<customer>`). */
function isUserSession(sub: string | undefined): sub is string {
  return typeof sub === 'string' && sub.startsWith('usr_');
}

/**
 * Signs the current user out of every session it has (this browser and any other, and any copy of
 * the cookie), then clears this browser's cookie and goes to the sign-in page.
 */
export async function signOutEverywhere(): Promise<void> {
  const session = await auth();
  if (session && isUserSession(session.user.id)) {
    const { ctx } = await getWebRuntime();
    await endSessions(ctx, session.user.id);
  }
  await signOut({ redirectTo: '/login' });
}
