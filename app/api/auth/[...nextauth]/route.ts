import type { NextRequest } from 'next/server';
import { handlers, throttledPasswordCallback } from '@/server/auth';

export const { GET } = handlers;

export async function POST(req: NextRequest): Promise<Response> {
  return (await throttledPasswordCallback(req)) ?? handlers.POST(req);
}
