import { NextRequest } from 'next/server';
import { formTooLarge, readForm } from '@/server/api/body';
import { handlers, throttledPasswordCallback } from '@/server/auth';

export const { GET } = handlers;

/** Sign-in and sign-out posts are small forms: a larger body is a 413, not read whole (server/api/body.ts). */
export async function POST(req: NextRequest): Promise<Response> {
  const body = await readForm(req);
  if (body === null) return formTooLarge();
  const bounded = new NextRequest(req.url, { method: 'POST', headers: req.headers, body: new Uint8Array(body) });
  return (await throttledPasswordCallback(bounded)) ?? handlers.POST(bounded);
}
