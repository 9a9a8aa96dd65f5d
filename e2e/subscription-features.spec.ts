import { createPublicKey, verify } from 'node:crypto';
import { expect, test } from './support/fixtures';
import { api, deliveriesOf, publish, receiver, seedCustomer, seedEventTypes } from './support/api';
import { openNewSubscription, signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('the subscription form previews a filter on recent events, checks it as it is typed, and saves it with custom headers', async ({
  page,
}) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Filters');
  for (const amount of [50, 150, 300]) await publish(customerId, 'order.created', { amount, currency: 'eur' });
  await publish(customerId, 'invoice.paid', { amount: 999 });

  const dialog = await openNewSubscription(page, { email, password }, rx.url, 'order.*');
  const summary = dialog.getByTestId('dry-run-summary');
  await expect(summary).toHaveText('3 of your last 4 events would be delivered');

  // A filter is checked while it is typed, and the preview follows it.
  const filter = dialog.getByLabel('Filter');
  await filter.fill('{"data.amount": {"$gte": 100');
  await expect(dialog.getByTestId('sub-filter-error')).toContainText('Not valid JSON');
  await expect(filter).toHaveAttribute('aria-invalid', 'true');
  await expect(summary).toHaveText('Fix the patterns and the filter to preview them on your recent events.');
  await filter.fill('{"data.amount": {"$gte": true}}');
  await expect(dialog.getByTestId('sub-filter-error')).toHaveText(
    'data.amount: "$gte" takes a number or a string, not a boolean',
  );
  await filter.fill('{"data.amount": {"$gte": 100}}');
  await expect(dialog.getByTestId('sub-filter-error')).toBeHidden();
  await expect(summary).toHaveText('2 of your last 4 events would be delivered');
  const events = dialog.getByTestId('dry-run-event');
  await expect(events).toHaveCount(4);
  await expect(events.filter({ hasText: 'was 50' })).toContainText(
    'order.created matches "order.*" but the filter excludes it: data.amount $gte 100 (was 50)',
  );
  await expect(events.filter({ hasText: 'invoice.paid' })).toContainText('no pattern matches "invoice.paid"');
  await screenshots(page, 'subscription-form-filter');

  // Custom headers: a reserved name is refused under the field; a good one is saved.
  const headers = dialog.getByLabel('Custom headers');
  await headers.fill('webhook-id: forged');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(dialog.getByTestId('sub-headers-error')).toContainText('"webhook-id" is reserved');
  await headers.fill('Authorization: Bearer e2e-s3cret\nX-Tenant: acme');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();

  await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
  const subId = page.url().split('/').pop()!;
  await expect(page.getByTestId('subscription-filter')).toContainText('"$gte": 100');
  await expect(page.getByTestId('subscription-headers')).toHaveText(
    /Authorization: \[redacted\]\s*X-Tenant: \[redacted\]/,
  );
  await expect(page.locator('body')).not.toContainText('e2e-s3cret');
  const stored = await api<{ filter: unknown; headers: Record<string, string> }>('GET', `/subscriptions/${subId}`);
  expect(stored).toMatchObject({
    filter: { 'data.amount': { $gte: 100 } },
    headers: { Authorization: '[redacted]', 'X-Tenant': '[redacted]' },
  });

  // An event the filter keeps away: the routing trace names the condition that failed.
  const small = await publish(customerId, 'order.created', { amount: 20, currency: 'eur' });
  await page.goto(`/dashboard/events/${small.id}`);
  const routing = page.getByTestId('routing-row').filter({ hasText: rx.url });
  await expect(routing).toHaveAttribute('data-decision', 'filtered');
  await expect(routing).toContainText(
    'Filtered out: matched "order.*" but the filter excluded it: data.amount $gte 100 (was 20)',
  );
  await expect(routing).toContainText('Failed condition: data.amount $gte 100 (was 20)');
  await page.goto(`/dashboard/subscriptions/${subId}`);

  // Editing keeps the header values ("[redacted]" stands for them) and can drop the filter.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit subscription' });
  await expect(edit.getByLabel('Custom headers')).toHaveValue('Authorization: [redacted]\nX-Tenant: [redacted]');
  await edit.getByLabel('Filter').fill('');
  await expect(edit.getByTestId('dry-run-summary')).toHaveText('4 of your last 5 events would be delivered');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByText('None: every event of a matching type')).toBeVisible();

  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect.poll(() => rx.requests.length).toBe(1);
  expect(rx.requests[0]!.headers).toMatchObject({ authorization: 'Bearer e2e-s3cret', 'x-tenant': 'acme' });
  await rx.close();
});

test('the event-type catalog is a page of its own, and the subscription form suggests its types', async ({ page }) => {
  const prefix = `cat${Date.now().toString(36)}`;
  await seedEventTypes(prefix);
  await api('POST', '/event-types', { name: `${prefix}.legacy`, description: 'Old' });
  await api('DELETE', `/event-types/${prefix}.legacy`);
  const { email, password } = await seedCustomer('Catalog');

  await signIn(page, email, password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event types' }).click();
  await expect(page).toHaveURL(/\/dashboard\/event-types$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Event types' })).toBeVisible();
  await page.getByLabel('Search event types').fill(prefix);
  const types = page.getByTestId('event-type');
  await expect(types).toHaveCount(2);
  const created = types.filter({ hasText: `${prefix}.order.created` });
  await expect(created).toContainText('An order was placed');
  await expect(created).toContainText('Schema-checked');
  await expect(created.getByTestId('event-type-schema')).toContainText('"minimum": 0');
  await expect(created.getByTestId('event-type-example')).toContainText(`"type": "${prefix}.order.created"`);
  await expect(created.getByTestId('event-type-example')).toContainText('"amount": 4200');
  await expect(types.filter({ hasText: `${prefix}.order.paid` })).toContainText('No schema');
  await expect(page.getByText(`${prefix}.legacy`)).toHaveCount(0);
  await screenshots(page, 'event-types');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByRole('button', { name: 'New subscription' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New subscription' });
  const suggestions = dialog.getByRole('group', { name: 'Suggestions from the catalog' });
  await suggestions.getByRole('button', { name: `+ ${prefix}.order.*` }).click();
  await expect(dialog.getByLabel('Event types')).toHaveValue(`${prefix}.order.*`);
  // Types the patterns cover are no longer suggested.
  await expect(suggestions.getByRole('button', { name: `+ ${prefix}.order.created` })).toHaveCount(0);
  await expect(suggestions.getByRole('button', { name: `+ ${prefix}.legacy` })).toHaveCount(0);
});

test('the request inspector shows custom header values redacted, and says the real request carried them', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Redacted');
  await api('POST', '/subscriptions', {
    customerId,
    url: rx.url,
    eventTypes: ['order.*'],
    headers: { Authorization: 'Bearer e2e-inspector-s3cret' },
  });
  const event = await publish(customerId, 'order.created', { n: 1 });
  await expect
    .poll(async () => (await deliveriesOf(event.id)).map((d) => d.status), { timeout: 30_000 })
    .toEqual(['succeeded']);
  expect(rx.requests[0]!.headers.authorization).toBe('Bearer e2e-inspector-s3cret');

  await signIn(page, email, password);
  const [delivery] = await deliveriesOf(event.id);
  await page.goto(`/dashboard/deliveries/${delivery!.id}`);
  const inspector = page.getByTestId('inspector');
  const headers = inspector.getByTestId('request-headers');
  await expect(headers).toContainText('Authorization[redacted]');
  await expect(headers).toContainText(`webhook-id${event.id}`);
  await expect(inspector.getByTestId('redacted-note')).toContainText(
    'Authorization: custom headers of this subscription. The real request carried their values',
  );
  await expect(page.locator('body')).not.toContainText('e2e-inspector-s3cret');
  await inspector.getByRole('button', { name: 'Copy as curl' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  expect(curl).toMatch(
    /^# The real request carried the values of Authorization; replace "\[redacted\]" with them\.\ncurl -X POST /,
  );
  expect(curl).toContain("-H 'Authorization: [redacted]'");
  expect(curl).not.toContain('e2e-inspector-s3cret');
  await screenshots(page, 'inspector-redacted-headers');
  await rx.close();
});

/** A v1a signature of a delivery checked with the `whpk_` key alone (as docs/receiving.md shows). */
function verifiesWith(whpk: string, headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(whpk.slice('whpk_'.length), 'base64').toString('base64url') },
    format: 'jwk',
  });
  const signed = Buffer.from(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`);
  return String(headers['webhook-signature'])
    .split(' ')
    .some((s) => s.startsWith('v1a,') && verify(null, signed, key, Buffer.from(s.slice(4), 'base64')));
}

test('the form creates an Ed25519 (v1a) subscription with its own auto-disable time, shows its public key, and refuses hostile hours', async ({
  page,
}) => {
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Scheme');
  const subscriptionsOf = async () =>
    (await api<{ data: { id: string }[] }>('GET', `/subscriptions?customerId=${customerId}`)).data;

  const dialog = await openNewSubscription(page, { email, password }, rx.url, 'order.*');
  const scheme = dialog.getByLabel('Signature scheme');
  await expect(scheme).toHaveValue('v1');
  await scheme.selectOption('v1a');
  await expect(dialog.getByText('receivers verify with a public key (whpk_…)')).toBeVisible();

  // Hostile hours are refused under their field, focused, and nothing is created.
  const hours = dialog.getByLabel('Auto-disable after');
  for (const bad of ['-1', '1e9', '0', 'soon']) {
    await hours.fill(bad);
    await dialog.getByRole('button', { name: 'Create subscription' }).click();
    await expect(dialog.getByTestId('sub-autoDisableAfterHours-error')).toHaveText(/above 0 and at most 8,760/);
    await expect(hours).toHaveAttribute('aria-invalid', 'true');
    await expect(hours).toBeFocused();
  }
  expect(await subscriptionsOf()).toEqual([]);
  await hours.fill('48');
  await screenshots(page, 'subscription-form-v1a');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();

  // The page shows the public key straight away, where a v1 subscription's secret is revealed.
  await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
  const subId = page.url().split('/').pop()!;
  const panel = page.getByRole('region', { name: 'Public key' });
  const key = panel.getByTestId('secret-value');
  await expect(key).toHaveText(/^whpk_[A-Za-z0-9+/]{43}=$/);
  await expect(page.getByText('whsec_')).toHaveCount(0);
  await expect(page.getByTestId('subscription-auto-disable')).toHaveText('After 48 hours of failing attempts');
  expect(await api('GET', `/subscriptions/${subId}`)).toMatchObject({
    signatureScheme: 'v1a',
    autoDisableAfterHours: 48,
  });
  await screenshots(page, 'subscription-v1a');

  // The key shown is the one deliveries are signed for.
  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect.poll(() => rx.requests.length).toBe(1);
  expect(verifiesWith((await key.textContent())!, rx.requests[0]!.headers, rx.requests[0]!.body)).toBe(true);

  // After a reload the key is behind Reveal, which a public key needs no write access for.
  await page.reload();
  await expect(key).toHaveText(/^whpk_•+$/);
  await panel.getByRole('button', { name: 'Reveal' }).click();
  await expect(key).toHaveText(/^whpk_[A-Za-z0-9+/]{43}=$/);

  // Editing: the scheme is fixed at creation; the hours can change, and hostile ones change nothing.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit subscription' });
  await expect(edit.getByLabel('Signature scheme')).toHaveCount(0);
  const editHours = edit.getByLabel('Auto-disable after');
  await expect(editHours).toHaveValue('48');
  for (const bad of ['1e9', '-1', '']) {
    await editHours.fill(bad);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit.getByTestId('sub-autoDisableAfterHours-error')).toBeVisible();
    await expect(editHours).toBeFocused();
  }
  expect(await api('GET', `/subscriptions/${subId}`)).toMatchObject({ autoDisableAfterHours: 48 });
  await editHours.fill('6.5');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByTestId('subscription-auto-disable')).toHaveText('After 6.5 hours of failing attempts');
  expect(await api('GET', `/subscriptions/${subId}`)).toMatchObject({
    signatureScheme: 'v1a',
    autoDisableAfterHours: 6.5,
  });

  await page.getByRole('button', { name: 'Edit' }).click();
  await edit.getByLabel('Never disable it').check();
  await expect(editHours).toBeDisabled();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByTestId('subscription-auto-disable')).toHaveText('Never');
  expect(await api('GET', `/subscriptions/${subId}`)).toMatchObject({ autoDisableAfterHours: null });
  await rx.close();
});
