import { withFormLimit } from '@/server/api/body';
import { continueWithPortalToken } from '@/server/auth/portal-continue';

/**
 * The portal page's button posts the single-use token here (server/auth/portal-continue.ts). A token
 * is a few dozen bytes: a post above 16 KiB is a 413, not read whole.
 */
export const POST = withFormLimit((req) => continueWithPortalToken(req, { embed: false }));
