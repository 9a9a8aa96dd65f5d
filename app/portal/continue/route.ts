import { continueWithPortalToken } from '@/server/auth/portal-continue';

/** The portal page's button posts the single-use token here (server/auth/portal-continue.ts). */
export function POST(req: Request): Promise<Response> {
  return continueWithPortalToken(req, { embed: false });
}
