import { expect, test } from './support/fixtures';
import { api, createSubscription, deliveriesOf, publish, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('the event log searches and filters; an event shows its attempts, exact request and routing', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const rx = await receiver();
  const { customerId, email, password } = await seedCustomer('Events');
  const orders = await createSubscription(customerId, {
    url: rx.url,
    eventTypes: ['order.*'],
    description: 'Order sync',
  });
  const invoices = await createSubscription(customerId, { url: `${rx.url}/invoices`, eventTypes: ['invoice.paid'] });
  const order = await publish(customerId, 'order.created', { orderId: 'ord_123', amount: 4200 });
  const invoice = await publish(customerId, 'invoice.paid', { invoiceId: 'inv_9' });
  await expect.poll(async () => (await deliveriesOf(order.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');
  await expect.poll(async () => (await deliveriesOf(invoice.id))[0]?.status, { timeout: 20_000 }).toBe('succeeded');

  await signIn(page, email, password);
  await page.getByRole('link', { name: 'Events', exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/events$/);
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: order.id })).toContainText('1 succeeded');

  // Search by type, then by id; the filters live in the URL.
  const search = page.getByRole('searchbox', { name: 'Search events by id or type' });
  await search.fill('invoice.paid');
  await expect(page).toHaveURL(/q=invoice\.paid/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(invoice.id);
  await search.fill(order.id);
  await search.press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('order.created');
  // Half-typed text is explained, not sent.
  await search.fill('invoice.');
  await expect(page.getByText('Search not run')).toBeVisible();
  await expect(page.getByText('"invoice." is not an event type or pattern')).toHaveCount(1);
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows).toHaveCount(2);

  // Status and subscription filters.
  await page.getByLabel('Delivery status').selectOption('dead');
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.getByLabel('Delivery status').selectOption('succeeded');
  await expect(rows).toHaveCount(2);
  await page.getByLabel('Subscription').selectOption(invoices.id);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('invoice.paid');
  await page.getByLabel('Time range').selectOption('1h');
  await expect(rows).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows).toHaveCount(2);
  await screenshots(page, 'events');

  // Event detail: timeline, inspector, routing trace.
  await rows.filter({ hasText: order.id }).getByRole('link', { name: 'order.created' }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/events/${order.id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('order.created');
  const attempt = page.getByTestId('attempt-item');
  await expect(attempt).toHaveCount(1);
  await expect(attempt).toContainText('#1 First attempt');
  await expect(attempt).toContainText('200');
  const inspector = page.getByTestId('inspector');
  const headers = inspector.getByTestId('request-headers');
  await expect(headers).toContainText('webhook-signature');
  await expect(headers).toContainText(/v1,[A-Za-z0-9+/=]{40,}/);
  await expect(headers).toContainText(`webhook-id${order.id}`);
  const sent = rx.requests.find((r) => r.body.includes(order.id))!;
  expect(sent).toBeTruthy();
  await expect(headers).toContainText(String(sent.headers['webhook-signature']));
  const body = inspector.getByTestId('request-body');
  await expect(body).toContainText(`"id": "${order.id}"`);
  await expect(body).toContainText('"orderId": "ord_123"');
  await inspector.getByLabel('Exact bytes as signed').check();
  await expect(body).toHaveText(sent.body);

  await inspector.getByRole('button', { name: 'Copy payload' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(sent.body);
  await inspector.getByRole('button', { name: 'Copy as curl' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  expect(curl).toContain(`curl -X POST '${rx.url}'`);
  expect(curl).toContain(`-H 'webhook-signature: ${String(sent.headers['webhook-signature'])}'`);

  await inspector.getByRole('tab', { name: /Response/ }).click();
  await expect(inspector.getByRole('tabpanel')).toContainText('received');

  const routing = page.getByTestId('routing-row');
  await expect(routing).toHaveCount(2);
  await expect(routing.filter({ hasText: 'Delivered' })).toContainText(`${orders.url}Delivered: matched "order.*"`);
  await expect(routing.filter({ hasText: 'Skipped' })).toContainText(
    `${invoices.url}Skipped: no pattern matched "order.created" when the event was published`,
  );
  await inspector.getByRole('tab', { name: 'Request' }).click();
  await inspector.getByLabel('Exact bytes as signed').uncheck();
  await screenshots(page, 'event-detail');

  // The delivery's own page shows the same exact request (its read carries the body once).
  const [delivery] = await deliveriesOf(order.id);
  await page.goto(`/dashboard/deliveries/${delivery!.id}`);
  await inspector.getByLabel('Exact bytes as signed').check();
  await expect(inspector.getByTestId('request-body')).toHaveText(sent.body);
  await inspector.getByRole('button', { name: 'Copy as curl' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`--data-raw '${sent.body}'`);
  await rx.close();
});

test('the event log pages with a cursor', async ({ page }) => {
  const { customerId, email, password } = await seedCustomer('Pages');
  const published: string[] = [];
  for (let i = 0; i < 27; i++) published.push((await publish(customerId, `batch.item${i % 3}`, { i })).id);
  await signIn(page, email, password);
  await page.goto('/dashboard/events');
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(25);
  await expect(rows.first()).toContainText(published.at(-1)!);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.last()).toContainText(published[0]!);
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(rows).toHaveCount(25);
  // A wildcard type search.
  await page.getByRole('searchbox').fill('batch.*');
  await expect(rows).toHaveCount(25);
  await page.getByRole('searchbox').fill('batch.item1');
  await expect(rows).toHaveCount(9);
  expect(
    (await api<{ data: unknown[] }>('GET', `/events?customerId=${customerId}&type=batch.item1`)).data,
  ).toHaveLength(9);
});
