import { NextRequest } from 'next/server';
import { withFormLimit } from '@/server/api/body';
import { handlers, throttledPasswordCallback } from '@/server/auth';

export const { GET } = handlers;

/** Sign-in and sign-out posts are small forms: a body above 16 KiB is a 413, not read whole (server/api/body.ts). */
export const POST = withFormLimit(async (req) => {
  const bounded = new NextRequest(req);
  return (await throttledPasswordCallback(bounded)) ?? handlers.POST(bounded);
});
