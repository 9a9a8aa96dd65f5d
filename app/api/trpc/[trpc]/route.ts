import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { contextForRequest } from '@/server/api/context';
import { countApiError, toDomainError } from '@/server/api/errors';

/** tRPC door: the dashboard (session cookie) and TypeScript integrators (Bearer key). */
export const dynamic = 'force-dynamic';

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => contextForRequest(req),
    onError: ({ error }) => countApiError(toDomainError(error)),
  });
}

export { handler as GET, handler as POST };
