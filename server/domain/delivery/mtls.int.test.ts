import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, events, subscriptions } from '../../../drizzle/schema';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';
import type { Json, Rest } from '../../../tests/support/api';
import { createTenant, ok, startApi, type ApiBed } from '../../../tests/support/api-world';
import { createPki, type Issued, type Pki } from '../../../tests/support/certificates';
import type { TestCtx } from '../../../tests/support/context';
import { attemptsOf, onlyDelivery, waitForStatus } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { spawnWorker, stopWorker, type WorkerProcess } from '../../../tests/support/worker-process';
import { decryptSecret, keyring, sealedIn } from '../crypto';
import { reencryptSecrets } from '../tenants/key-rotation';
import { warnExpiringCertificates } from '../upkeep/certificate-expiry';

/**
 * Mutual TLS against a real HTTPS receiver on loopback that requires a client certificate signed by
 * its CA (node:https, `requestCert` + `rejectUnauthorized`). The certificates come from a throwaway
 * CA made with `openssl`. Deliveries go out from a real worker process that trusts that CA the way an
 * operator makes a worker trust a private CA: NODE_EXTRA_CA_CERTS.
 */
let pki: Pki;
let strangerPki: Pki;
let client: Issued;
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;
let customer: { id: string; key: string };
let worker: WorkerProcess;
let tlsReceiver: Server;
let tlsUrl = '';
/** What the TLS receiver accepted: the client certificate each request came with. */
const accepted: Array<{ subject: string; fingerprint: string; webhookId: string }> = [];
/** Handshakes the receiver refused, by OpenSSL's reason. */
const handshakeFailures: string[] = [];

beforeAll(async () => {
  pki = createPki('mtls');
  strangerPki = createPki('stranger');
  client = pki.issue('hookrelay-client');
  const server = pki.issue('localhost', { server: true });
  tlsReceiver = createServer(
    { key: server.key, cert: server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      req.resume();
      req.on('end', () => {
        accepted.push({
          subject: peer?.subject ?? '',
          fingerprint: peer?.fingerprint256 ?? '',
          webhookId: String(req.headers['webhook-id']),
        });
        res.end('ok');
      });
    },
  );
  tlsReceiver.on('tlsClientError', (err: NodeJS.ErrnoException) => handshakeFailures.push(err.code ?? err.message));
  await new Promise<void>((r) => tlsReceiver.listen(0, '127.0.0.1', r));
  tlsUrl = `https://localhost:${(tlsReceiver.address() as AddressInfo).port}/hook`;

  api = await startApi('mtls', {}, 'test platform');
  ({ ctx, rest, platformKey } = api);
  customer = await createTenant(rest, platformKey, 'mTLS');
  worker = spawnWorker(api.url, { NODE_EXTRA_CA_CERTS: pki.ca.certPath, RETRY_TIME_SCALE: '0.001', LOG_LEVEL: 'info' });
  await worker.ready;
});

afterAll(async () => {
  if (worker) await stopWorker(worker, 10_000);
  tlsReceiver?.closeAllConnections();
  await new Promise((r) => (tlsReceiver ? tlsReceiver.close(r) : r(undefined)));
  await api?.stop();
  pki?.remove();
  strangerPki?.remove();
});

const mtls = (cert: Issued) => ({ type: 'mtls', certificate: cert.cert, privateKey: cert.key });

let current = 0;
async function subscribe(auth: Json, extra: Json = {}) {
  current++;
  return ok(
    rest('POST', '/subscriptions', {
      key: customer.key,
      body: { url: tlsUrl, eventTypes: [`mtls.s${current}`], auth, ...extra },
    }),
    201,
  );
}

async function publishAndSettle(status: 'succeeded' | 'dead') {
  const event = await ok(
    rest('POST', '/events', { key: customer.key, body: { type: `mtls.s${current}`, data: {} } }),
    202,
  );
  const delivery = await onlyDelivery(ctx, event.id);
  await waitForStatus(ctx, delivery.id, status, 60_000);
  return { eventId: event.id as string, attempts: await attemptsOf(ctx, delivery.id) };
}

describe('mTLS client certificates', () => {
  it('an endpoint that requires a client certificate refuses a delivery without one', async () => {
    await subscribe(null, { retryPolicy: { maxAttempts: 1 } });
    const { attempts } = await publishAndSettle('dead');
    expect(attempts).toHaveLength(1);
    // TLS 1.3: the client hears of the refusal as the connection closing (TLS 1.2 would show an alert).
    expect(attempts[0]).toMatchObject({
      status: 'failed',
      responseStatus: null,
      errorClass: expect.stringMatching(/^(tls|connection)$/),
    });
    expect(handshakeFailures).toEqual(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE']);
    expect(accepted).toHaveLength(0);
  });

  it('with the certificate, the delivery succeeds and the endpoint sees it; reads show subject, fingerprint and expiry, never the key', async () => {
    const sub = await subscribe(mtls(client));
    const x509 = new X509Certificate(client.cert);
    expect(sub.auth).toEqual({
      type: 'mtls',
      subject: 'CN=hookrelay-client, O=Hookrelay tests',
      issuer: 'CN=Hookrelay test CA mtls',
      fingerprint: x509.fingerprint256,
      notBefore: new Date(x509.validFrom).toISOString(),
      notAfter: new Date(x509.validTo).toISOString(),
      setAt: expect.any(String),
    });
    const { eventId, attempts } = await publishAndSettle('succeeded');
    expect(attempts).toMatchObject([{ status: 'succeeded', responseStatus: 200 }]);
    expect(accepted).toEqual([
      { subject: 'CN=hookrelay-client\nO=Hookrelay tests', fingerprint: x509.fingerprint256, webhookId: eventId },
    ]);

    const keyBody = client.key.split('\n')[1]!;
    for (const read of [
      sub,
      await ok(rest('GET', '/subscriptions/{id}', { key: customer.key, params: { id: sub.id } })),
      await ok(rest('GET', '/subscriptions', { key: customer.key })),
      await ok(rest('GET', '/audit-log', { key: customer.key, query: { targetId: sub.id } })),
    ]) {
      expect(JSON.stringify(read)).not.toContain('PRIVATE KEY');
      expect(JSON.stringify(read)).not.toContain(keyBody);
      expect(JSON.stringify(read)).not.toContain('BEGIN CERTIFICATE');
    }
    // Encrypted at rest, bound to the row; the expiry is a plain column.
    const [row] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row!.authEnc).toMatch(/^v2\./);
    expect(JSON.stringify(row)).not.toContain(keyBody);
    expect(row!.clientCertNotAfter).toEqual(new Date(x509.validTo));
    expect(
      JSON.parse(
        decryptSecret(keyring('test-secret-key-0123456789abcdef'), row!.authEnc!, sealedIn.subscriptionAuth(sub.id)),
      ),
    ).toMatchObject({
      type: 'mtls',
      fingerprint: x509.fingerprint256,
    });
  });

  it('a certificate the endpoint does not trust is refused by it; replacing it takes effect at the next attempt, and the audit log says so (without the key)', async () => {
    const stranger = strangerPki.issue('hookrelay-client');
    const sub = await subscribe(mtls(stranger), { retryPolicy: { maxAttempts: 1 } });
    const before = accepted.length;
    const failures = handshakeFailures.length;
    const refused = await publishAndSettle('dead');
    expect(refused.attempts[0]).toMatchObject({
      status: 'failed',
      responseStatus: null,
      errorClass: expect.stringMatching(/^(tls|connection)$/),
    });
    expect(accepted).toHaveLength(before);
    expect(handshakeFailures.length).toBeGreaterThan(failures);

    const renewed = pki.issue('hookrelay-client-2');
    const patched = await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: customer.key,
        params: { id: sub.id },
        body: { auth: mtls(renewed) },
      }),
    );
    expect(patched.auth).toMatchObject({ subject: 'CN=hookrelay-client-2, O=Hookrelay tests' });
    await publishAndSettle('succeeded');
    expect(accepted.at(-1)!.fingerprint).toBe(new X509Certificate(renewed.cert).fingerprint256);

    const [entry] = await ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, sub.id), eq(auditLog.action, 'subscription.updated')));
    expect(entry!.before).toMatchObject({ auth: { fingerprint: new X509Certificate(stranger.cert).fingerprint256 } });
    expect(entry!.after).toMatchObject({ auth: { fingerprint: new X509Certificate(renewed.cert).fingerprint256 } });
    expect(JSON.stringify(entry)).not.toContain('PRIVATE KEY');
  });

  it('refuses hostile or broken input with a 400 naming the field (a 1 MB field is refused before it is read), and stores nothing', async () => {
    const count = async () => (await ctx.db.select({ id: subscriptions.id }).from(subscriptions)).length;
    const before = await count();
    const other = pki.issue('someone-else');
    const expired = pki.issue('expired', { days: -1 });
    const create = (auth: Json) =>
      rest('POST', '/subscriptions', { key: customer.key, body: { url: tlsUrl, eventTypes: ['*'], auth } });
    const cases: Array<[Json, string, RegExp]> = [
      [{ ...mtls(client), certificate: 'not a certificate' }, 'auth.certificate', /is not a PEM certificate/],
      [
        { ...mtls(client), certificate: Buffer.from(client.cert).toString('base64') },
        'auth.certificate',
        /is not a PEM certificate/,
      ],
      [{ ...mtls(client), privateKey: other.key }, 'auth.privateKey', /does not belong to the certificate/],
      [{ ...mtls(client), privateKey: client.cert }, 'auth.privateKey', /holds a certificate/],
      [mtls(expired), 'auth.certificate', /^auth\.certificate: expired on/],
      [{ ...mtls(client), certificate: 'A'.repeat(40 * 1024) }, 'auth.certificate', /at most 32768 characters/],
      [{ ...mtls(client), privateKey: 'A'.repeat(17 * 1024) }, 'auth.privateKey', /at most 16384 characters/],
      [{ ...mtls(client), certificate: `${client.cert}\u0000` }, 'auth.certificate', /./],
      [{ type: 'mtls', certificate: client.cert }, 'auth.privateKey', /./],
      [{ ...mtls(client), passphrase: 'x' }, 'auth.passphrase', /unknown field/],
    ];
    for (const [authentication, field, message] of cases) {
      const res = await create(authentication);
      expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(message);
    }
    // 1 MB: above the request body limit, refused as it streams in.
    const huge = await create({
      ...mtls(client),
      certificate: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(1024 * 1024)}\n-----END CERTIFICATE-----\n`,
    });
    expect(huge.status).toBe(413);
    expect(await count()).toBe(before);
  });

  it('warns once per certificate, 14 days ahead, with subscription.certificate_expiring', async () => {
    const ops = await startReceiver();
    try {
      await ok(
        rest('POST', '/operational-webhooks', {
          key: platformKey,
          body: { url: `${ops.url}/ops`, eventTypes: ['subscription.certificate_expiring'] },
        }),
        201,
      );
      const soon = pki.issue('expires-soon', { days: 10 });
      const sub = await subscribe(mtls(soon));
      const emitted = async () =>
        (
          await ctx.db
            .select()
            .from(events)
            .where(
              and(eq(events.customerId, PLATFORM_CUSTOMER_ID), eq(events.type, 'subscription.certificate_expiring')),
            )
        ).filter((e) => JSON.parse(e.body).data.subscriptionId === sub.id);

      await warnExpiringCertificates(ctx);
      await warnExpiringCertificates(ctx);
      expect(await emitted()).toHaveLength(1);
      await ops.waitFor(1, 60_000);
      const event = JSON.parse(ops.received[0]!.body);
      const x509 = new X509Certificate(soon.cert);
      expect(event).toMatchObject({
        type: 'subscription.certificate_expiring',
        data: {
          customerId: customer.id,
          subscriptionId: sub.id,
          url: tlsUrl,
          reason: 'expiring',
          subject: 'CN=expires-soon, O=Hookrelay tests',
          fingerprint: x509.fingerprint256,
          notAfter: new Date(x509.validTo).toISOString(),
          message: expect.stringMatching(
            /^the client certificate CN=expires-soon, O=Hookrelay tests expires on .* \(in (9|10) days\)/,
          ),
        },
      });
      // The certificates of the earlier tests (30 days) are not due.
      expect(ops.received.map((r) => JSON.parse(r.body).data.subscriptionId)).toEqual([sub.id]);

      // A new certificate that also expires soon is warned about in its turn, once.
      const next = pki.issue('expires-soon-too', { days: 5 });
      await ok(
        rest('PATCH', '/subscriptions/{id}', { key: customer.key, params: { id: sub.id }, body: { auth: mtls(next) } }),
      );
      await warnExpiringCertificates(ctx);
      await warnExpiringCertificates(ctx);
      expect(await emitted()).toHaveLength(2);
      await ops.waitFor(2, 60_000);
      expect(JSON.parse(ops.received[1]!.body).data.fingerprint).toBe(new X509Certificate(next.cert).fingerprint256);

      // Removing the certificate: nothing left to warn about.
      await ok(
        rest('PATCH', '/subscriptions/{id}', { key: customer.key, params: { id: sub.id }, body: { auth: null } }),
      );
      await warnExpiringCertificates(ctx);
      expect(await emitted()).toHaveLength(2);
    } finally {
      await ops.close();
    }
  });

  it('is re-encrypted when the master key rotates', async () => {
    const sub = await subscribe(mtls(client));
    const rotated = {
      ...ctx,
      keys: keyring('rotated-secret-key-fedcba9876543210', ['test-secret-key-0123456789abcdef']),
    };
    const report = await reencryptSecrets(rotated);
    expect(report.failed).toEqual([]);
    const [row] = await ctx.db
      .select({ authEnc: subscriptions.authEnc })
      .from(subscriptions)
      .where(eq(subscriptions.id, sub.id));
    expect(
      JSON.parse(
        decryptSecret(keyring('rotated-secret-key-fedcba9876543210'), row!.authEnc!, sealedIn.subscriptionAuth(sub.id)),
      ),
    ).toMatchObject({
      type: 'mtls',
      fingerprint: new X509Certificate(client.cert).fingerprint256,
    });
    expect((await reencryptSecrets(rotated)).reencrypted).toBe(0);
  });
});
