import { continueWithPortalToken } from '@/server/auth/portal-continue';

/** The embed link page's button posts its token here: signs in to the embedded view (server/auth/portal-continue.ts). */
export function POST(req: Request): Promise<Response> {
  return continueWithPortalToken(req, { embed: true });
}
