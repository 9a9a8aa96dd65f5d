import { z } from 'zod';
import { text } from '../../json';
import {
  count,
  customerFilter,
  deliveryStatus,
  eventTypeFilter,
  flag,
  from,
  idOf,
  orderingKey,
  pageOf,
  to,
} from '../inputs';

/** Delivery inputs: endpoint authentication, delivery reads, ordering lanes (rules: server/domain/inputs.ts). */

/**
 * How much endpoint authentication may hold: a client certificate with a few intermediates, one
 * private key (an RSA 4096 key is about 3.3 KB of PEM), OAuth2 client credentials.
 */
export const ENDPOINT_AUTH_LIMITS = {
  certificateChars: 32 * 1024,
  privateKeyChars: 16 * 1024,
  clientIdChars: 256,
  clientSecretChars: 1024,
  scopeChars: 1024,
};

/** Visible ASCII, no spaces: an OAuth2 client id (RFC 6749 allows any visible character). */
const VISIBLE = /^[\x21-\x7e]*$/;
/** Space-separated scope tokens of visible ASCII other than `"` and `\` (RFC 6749 §3.3). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

export const mtlsAuthentication = z
  .strictObject({
    type: z.literal('mtls'),
    certificate: text()
      .min(1)
      .max(
        ENDPOINT_AUTH_LIMITS.certificateChars,
        `a certificate chain is at most ${ENDPOINT_AUTH_LIMITS.certificateChars} characters of PEM`,
      )
      .describe('PEM: the client certificate, then any intermediate certificates to send with it'),
    privateKey: text()
      .min(1)
      .max(
        ENDPOINT_AUTH_LIMITS.privateKeyChars,
        `a private key is at most ${ENDPOINT_AUTH_LIMITS.privateKeyChars} characters of PEM`,
      )
      .describe(
        "PEM: the certificate's private key, unencrypted (PKCS#8, or RSA/EC). Encrypted at rest; never shown again",
      ),
  })
  .describe('Mutual TLS: every attempt presents this client certificate');

export const oauth2Authentication = z
  .strictObject({
    type: z.literal('oauth2'),
    tokenUrl: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        'Where tokens are requested (grant_type=client_credentials, client authentication HTTP Basic); the same rules as the endpoint URL',
      )
      .meta({ examples: ['https://auth.example.com/oauth/token'] }),
    clientId: text()
      .min(1)
      .max(ENDPOINT_AUTH_LIMITS.clientIdChars)
      .regex(VISIBLE, 'a client id holds visible ASCII characters only (no spaces)'),
    clientSecret: text()
      .min(1)
      .max(ENDPOINT_AUTH_LIMITS.clientSecretChars)
      .describe(
        'Encrypted at rest; never shown again. On update, `"[redacted]"` keeps the stored secret (same token URL origin and endpoint origin only)',
      ),
    scope: text()
      .max(ENDPOINT_AUTH_LIMITS.scopeChars)
      .regex(SCOPE, 'scope is space-separated tokens of visible ASCII characters (no " or \\)')
      .optional()
      .describe('Space-separated scopes to ask for'),
  })
  .describe(
    'OAuth2 client credentials: every attempt carries `Authorization: Bearer <token>`; the token is cached until shortly before it expires, and refreshed once on a 401',
  );

/** Endpoint authentication of a subscription; each problem is a 400 naming its field (`auth.privateKey`). */
export const endpointAuthentication = z
  .discriminatedUnion('type', [mtlsAuthentication, oauth2Authentication])
  .describe(
    "How attempts authenticate to the endpoint, besides the signature: `mtls` (a client certificate) or `oauth2` (client credentials). Never shown on read beyond the certificate's subject, fingerprint and expiry, or the token URL, client id and scope",
  );
export type EndpointAuthenticationInput = z.infer<typeof endpointAuthentication>;

export const listDeliveriesInput = z.strictObject({
  customerId: customerFilter,
  status: deliveryStatus.optional(),
  subscriptionId: idOf('subscription').optional(),
  eventType: eventTypeFilter.optional(),
  eventId: idOf('event').optional(),
  from,
  to,
  ...pageOf('delivery'),
});

export const getDeliveryInput = z.strictObject({
  id: idOf('delivery'),
  includeBody: flag.default(true).describe('Include `requestBody`, the exact bytes every attempt sent (default true)'),
  // An attempt's sequence number is a PostgreSQL integer: a larger cursor made the query fail with a 500.
  attemptsCursor: count(z.coerce.number().int().min(1).max(2_147_483_647))
    .optional()
    .describe('`attemptsNextCursor` of a previous read: the attempts before it'),
});

/** `GET /subscriptions/{id}/lanes`: blocked ordering lanes, by key. */
export const listLanesInput = z.strictObject({
  id: idOf('subscription'),
  limit: count(z.coerce.number().int().min(1).max(200)).default(50).describe('Page size (1 to 200, default 50)'),
  cursor: orderingKey.optional().describe('`nextCursor` of the previous page (the last ordering key)'),
});

/** `POST /subscriptions/{id}/lanes/skip`: move a blocked lane on past its head. */
export const skipLaneInput = z.strictObject({
  id: idOf('subscription'),
  orderingKey: orderingKey.describe('The lane to move on'),
});
