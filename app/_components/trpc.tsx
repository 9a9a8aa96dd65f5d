'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { useState, type ReactNode } from 'react';
import type { AppRouter } from '@/server/api/root';
import { parseJsonExact } from '@/server/json';

const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
export { useTRPC };

function isClientError(err: unknown): boolean {
  const status = (err as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Answers read with numbers exact: an event's `data` shows `9007199254740993` as published, not
 * rounded by the browser's JSON.parse (where the browser lacks JSON.parse source text, as before).
 */
async function exactJsonFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  const text = await res.text();
  const exact = new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  return Object.assign(exact, { json: () => Promise.resolve(parseJsonExact(text)) });
}

/** tRPC + TanStack Query for client components; the session cookie authenticates the dashboard. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // A 4xx (not found, read-only, bad input) will not change on retry; network blips and 5xx may.
          queries: {
            staleTime: 2_000,
            retry: (count, err) => count < 2 && !isClientError(err),
            refetchOnWindowFocus: true,
          },
          mutations: { retry: false },
        },
      }),
  );
  // The server refuses a batch of more than 20 calls (MAX_TRPC_BATCH): a page with more queries sends several.
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc', maxItems: 20, fetch: exactJsonFetch })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
