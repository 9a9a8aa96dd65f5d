import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { createTestDatabase } from '../../../tests/support/db';
import { platformScope } from '../context';
import { authenticateApiKey, createApiKey, revokeApiKey } from './api-keys';
import { createCustomer } from './customers';

/**
 * A process remembers valid API keys for a few seconds (a publish then costs no key lookup). A
 * revocation takes effect at once where it was made, and within the cache's lifetime in every other
 * process: here two contexts stand for two web processes.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let web1: TestCtx;
let web2: TestCtx;

beforeAll(async () => {
  db = await createTestDatabase('key_cache');
  web1 = await createTestContext(db.url, { apiKeyCacheMs: 1500 });
  web2 = await createTestContext(db.url, { apiKeyCacheMs: 1500 });
});

afterAll(async () => {
  await web1?.close();
  await web2?.close();
  await db?.drop();
});

describe('API key cache', () => {
  it('a revoked key stops working at once where it was revoked, and within the cache lifetime elsewhere', async () => {
    const customer = await createCustomer(web1, platformScope, { name: 'Cache' });
    const key = await createApiKey(web1, customer.id, 'cached');
    expect(await authenticateApiKey(web1, key.key)).toMatchObject({ keyId: key.id });
    expect(await authenticateApiKey(web2, key.key)).toMatchObject({ keyId: key.id });

    await revokeApiKey(web1, platformScope, key.id);
    expect(await authenticateApiKey(web1, key.key)).toBeNull();
    // web2 still trusts its cached copy for a moment, never longer than its cache lifetime.
    const revokedAt = Date.now();
    await expect.poll(() => authenticateApiKey(web2, key.key), { timeout: 5000, interval: 100 }).toBeNull();
    expect(Date.now() - revokedAt).toBeLessThan(1500 + 1000);
  });

  it('unknown keys are not cached: a key created after a failed lookup works at once', async () => {
    expect(await authenticateApiKey(web2, 'hr_cus_doesnotexist')).toBeNull();
    const customer = await createCustomer(web1, platformScope, { name: 'Fresh' });
    const key = await createApiKey(web1, customer.id, 'fresh');
    expect(await authenticateApiKey(web2, key.key)).toMatchObject({ keyId: key.id });
  });
});
