import { withFormLimit } from '@/server/api/body';
import { continueWithPortalToken } from '@/server/auth/portal-continue';

/**
 * The embed link page's button posts its token here: signs in to the embedded view
 * (server/auth/portal-continue.ts). A post above 16 KiB is a 413, not read whole.
 */
export const POST = withFormLimit((req) => continueWithPortalToken(req, { embed: true }));
