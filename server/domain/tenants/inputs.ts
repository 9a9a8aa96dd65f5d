import { z } from 'zod';
import { colorSchemes } from '../../../drizzle/schema/values';
import { KEY_SCOPES } from '../context';
import { text } from '../../json';
import { customerFilter, idOf, pageOf } from '../inputs';
import { HEX_COLOR } from './portal-theme';

/** Customer, API key, dashboard user and portal inputs (rules: server/domain/inputs.ts). */

export const createCustomerInput = z.strictObject({
  name: text()
    .trim()
    .min(1)
    .max(200)
    .meta({ examples: ['Acme Corp'] }),
  externalId: text().min(1).max(200).optional().describe("The platform's own id for this customer (unique)"),
  tier: text().min(1).max(50).optional().describe('Concurrency tier (default `standard`)'),
});

export const createApiKeyInput = z.strictObject({
  id: idOf('customer'),
  name: text().max(200).optional(),
  scopes: z
    .array(z.enum(KEY_SCOPES))
    .min(1)
    .max(KEY_SCOPES.length)
    .refine((s) => new Set(s).size === s.length, 'must not repeat a scope')
    .optional()
    .describe(
      'What the key may do: `publish` (publish events), `read` (every read), `manage` (every other change), `keys` (create, list, revoke keys). Default `["publish", "read"]`; at most the scopes of the key that creates it',
    )
    .meta({ examples: [['publish', 'read']] }),
});

export const listCustomersInput = z.strictObject({ ...pageOf('customer') });

export const listApiKeysInput = z.strictObject({ customerId: customerFilter, ...pageOf('apiKey') });

export const createUserInput = z.strictObject({
  email: z
    .string()
    .email()
    .max(320)
    .meta({ examples: ['ops@acme.example'] }),
  password: text()
    .min(8)
    .max(200)
    .meta({ examples: ['correct-horse-battery'] }),
});

/** The embedded portal's look (server/domain/tenants/portal-theme.ts): checked here, so that only these shapes reach a page. */
const portalThemeInput = z.strictObject({
  accentColor: text()
    .regex(HEX_COLOR, 'must be a hex colour #rrggbb')
    .optional()
    .meta({ examples: ['#0f766e'] })
    .describe('Buttons, links and focus rings (default: indigo)'),
  logoUrl: text()
    .max(2048)
    .superRefine((v, ctx) => {
      let url: URL | null = null;
      try {
        url = new URL(v);
      } catch {
        // reported below
      }
      if (url?.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an https URL' });
      else if (url.username !== '' || url.password !== '')
        ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    })
    .optional()
    .meta({ examples: ['https://app.example.com/logo.svg'] })
    .describe('Shown at the top of the embedded view'),
  colorScheme: z.enum(colorSchemes).optional().describe("Light, dark, or the viewer's system setting (default)"),
});

export const portalLinkInput = z.strictObject({
  readOnly: z.boolean().optional().describe('Sign in with a session that cannot change anything'),
  ttlSeconds: z.number().int().min(30).max(86400).optional().describe('Link lifetime (default 900)'),
  embed: z
    .boolean()
    .optional()
    .describe(
      'A link for an <iframe> in your own app: the dashboard without its navigation, frameable only by PORTAL_FRAME_ANCESTORS',
    ),
  theme: portalThemeInput.optional().describe("The embedded view's look (embed links only)"),
});

/** `PATCH /customers/{id}`: the platform's per-customer settings. */
export const updateCustomerInput = z.strictObject({
  id: idOf('customer'),
  retentionDays: z
    .number({
      error:
        'retentionDays must be a whole number of days from 1 to the platform maximum (RETENTION_MAX_DAYS), or null',
    })
    .int({ error: 'retentionDays must be a whole number of days from 1 to the platform maximum (RETENTION_MAX_DAYS)' })
    .min(1, { error: 'retentionDays must be from 1 to the platform maximum (RETENTION_MAX_DAYS) days' })
    .nullable()
    .optional()
    .describe(
      "Days this customer's events are kept, 1 to RETENTION_MAX_DAYS; null: the platform default. A shortening applies to stored events too",
    ),
});
