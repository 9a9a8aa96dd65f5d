import NextAuth, { type DefaultSession } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { consumePortalToken, verifyPassword } from '../domain/tenants/customers';
import { getWebRuntime } from '../web';

/**
 * Dashboard sign-in (Auth.js): email + password for dashboard users, and a platform-issued
 * single-use portal token (POST /customers/{id}/portal-link) for embedding, optionally read-only.
 * Sessions are JWTs (Credentials requires them) carrying the customer scope; 8 h lifetime.
 */
declare module 'next-auth' {
  interface User {
    customerId?: string;
    readOnly?: boolean;
  }
  interface Session {
    user: { id: string; customerId: string; readOnly: boolean } & DefaultSession['user'];
  }
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
      authorize: async (c) => {
        if (typeof c?.email !== 'string' || typeof c.password !== 'string') return null;
        const { ctx } = await getWebRuntime();
        const user = await verifyPassword(ctx, c.email, c.password);
        return user ? { id: user.id, email: user.email, customerId: user.customerId, readOnly: false } : null;
      },
    }),
    Credentials({
      id: 'portal',
      name: 'Portal link',
      credentials: { token: { type: 'text' } },
      authorize: async (c) => {
        if (typeof c?.token !== 'string') return null;
        const { ctx } = await getWebRuntime();
        const grant = await consumePortalToken(ctx, c.token);
        return grant ? { id: `portal:${grant.customerId}`, name: 'Portal session', customerId: grant.customerId, readOnly: grant.readOnly } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.customerId = user.customerId;
        token.readOnly = user.readOnly ?? false;
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? '';
      session.user.customerId = typeof token.customerId === 'string' ? token.customerId : '';
      session.user.readOnly = token.readOnly === true;
      return session;
    },
  },
});
