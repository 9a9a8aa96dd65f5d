import { expect, test } from './support/fixtures';
import { api, receiver, seedCustomer } from './support/api';
import { signIn } from './support/auth';
import { screenshots } from './support/screenshots';

test('a customer creates a subscription (after fixing a bad pattern), manages it and sends a test event', async ({
  page,
}) => {
  const rx = await receiver();
  const { email, password } = await seedCustomer('Subs');
  await signIn(page, email, password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  await expect(page.getByText('No subscriptions yet')).toBeVisible();

  await page.getByRole('button', { name: 'New subscription' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New subscription' });
  await expect(dialog).toBeVisible();
  // The dialog opens on its first field, and Escape closes it.
  await expect(dialog.getByLabel('Endpoint URL')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'New subscription' }).first().click();

  // A bad URL and a bad pattern are reported under their fields; nothing is created.
  await dialog.getByLabel('Endpoint URL').fill('not a url');
  await dialog.getByLabel('Event types').fill('order.created\norder.**.refund');
  await dialog.getByRole('button', { name: 'Create subscription' }).click();
  await expect(dialog.getByTestId('sub-url-error')).toContainText('Enter a full URL');
  await expect(dialog.getByTestId('sub-eventTypes-error')).toContainText(
    'Pattern "order.**.refund": "**" is only allowed as the last segment',
  );
  await expect(dialog.getByLabel('Endpoint URL')).toBeFocused();
  await expect(dialog.getByLabel('Event types')).toHaveAttribute('aria-invalid', 'true');

  // The pattern tester says what a type would do.
  await dialog.getByLabel('Endpoint URL').fill(rx.url);
  await dialog.getByLabel('Event types').fill('order.created\norder.refund.*');
  await dialog.getByTestId('pattern-tester').fill('order.refund.created');
  await expect(dialog.getByTestId('pattern-tester-result')).toContainText('delivered (matches order.refund.*)');
  await dialog.getByTestId('pattern-tester').fill('order.shipped');
  await expect(dialog.getByTestId('pattern-tester-result')).toContainText('not delivered');
  await dialog.getByLabel('Description').fill('Order sync');
  // Trace context to the receiver is opt-in: off unless ticked.
  await expect(dialog.getByLabel('Send trace context')).not.toBeChecked();
  await dialog.getByRole('button', { name: 'Create subscription' }).click();

  await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
  const subId = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { level: 1 })).toContainText(rx.url);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Active');
  const stored = await api<{ eventTypes: string[]; description: string; traceContext: boolean }>(
    'GET',
    `/subscriptions/${subId}`,
  );
  expect(stored).toMatchObject({
    eventTypes: ['order.created', 'order.refund.*'],
    description: 'Order sync',
    traceContext: false,
  });
  await expect(page.getByText('Not sent')).toBeVisible();

  // Reveal, then rotate the secret.
  const secret = page.getByTestId('secret-value');
  await expect(secret).toContainText('••••');
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(secret).toHaveText(/^whsec_[A-Za-z0-9+/=]{20,}$/);
  const before = await secret.textContent();
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page
    .getByRole('dialog', { name: 'Rotate the signing secret?' })
    .getByRole('button', { name: 'Rotate secret' })
    .click();
  await expect(secret).toHaveText(/^whsec_/);
  await expect(secret).not.toHaveText(before!);
  await expect(page.getByText('the previous secret also signs until')).toBeVisible();

  // Send a test event and follow it to a succeeded delivery.
  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Test event sent' })).toBeVisible();
  const row = page.getByTestId('delivery-row').filter({ hasText: 'hookrelay.test' });
  await expect(row).toContainText('Succeeded');
  await expect.poll(() => rx.bodies.some((b) => b.includes('hookrelay.test'))).toBe(true);

  // Pause and resume.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Active');

  // Edit: a server-side error lands on its field too; a fix saves.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit subscription' });
  await expect(edit.getByLabel('Event types')).toHaveValue('order.created\norder.refund.*');
  await edit.getByLabel('Endpoint URL').fill('https://user:secret@example.com/hook');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByTestId('sub-url-error')).toHaveText('Must not contain credentials.');
  expect((await api<{ url: string }>('GET', `/subscriptions/${subId}`)).url).toBe(rx.url);
  await edit.getByLabel('Endpoint URL').fill(rx.url);
  await edit.getByLabel('Description').fill('Order sync (prod)');
  await edit.getByLabel('Send trace context').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByText('Order sync (prod)')).toBeVisible();
  await expect(page.getByText('Sent (traceparent header)')).toBeVisible();
  expect((await api<{ traceContext: boolean }>('GET', `/subscriptions/${subId}`)).traceContext).toBe(true);
  // The edit form shows the stored choice.
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(edit.getByLabel('Send trace context')).toBeChecked();
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await expect(edit).toBeHidden();

  await expect(page.getByTestId('queue-dead-letters')).toHaveText('0');
  await screenshots(page, 'subscription-detail');

  await page.getByRole('link', { name: '← Subscriptions' }).click();
  const listRow = page.getByTestId('subscription-row');
  await expect(listRow).toHaveCount(1);
  await expect(listRow).toContainText('order.refund.*');
  await expect(listRow).toContainText('Active');
  await screenshots(page, 'subscriptions');

  // Delete, after confirming.
  await listRow.getByRole('link').first().click();
  await page.getByRole('button', { name: 'Delete subscription' }).click();
  await page
    .getByRole('dialog', { name: 'Delete this subscription?' })
    .getByRole('button', { name: 'Delete subscription' })
    .click();
  await expect(page).toHaveURL(/\/dashboard\/subscriptions$/);
  await expect(page.getByText('No subscriptions yet')).toBeVisible();
  await rx.close();
});

test('the subscription list keeps its page in the URL: a refresh, the back button and the health window stay on it', async ({
  page,
}) => {
  const { customerId, email, password } = await seedCustomer('SubPages');
  for (let i = 0; i < 53; i++)
    await api('POST', '/subscriptions', {
      customerId,
      url: `http://127.0.0.1:9/hook-${i}`,
      eventTypes: ['*'],
      description: `Endpoint ${i}`,
    });
  await signIn(page, email, password);
  await page.goto('/dashboard/subscriptions');
  const rows = page.getByTestId('subscription-row');
  const pager = page.getByRole('navigation', { name: 'Pagination' });
  await expect(rows).toHaveCount(50);
  await expect(pager).toContainText('Page 1 · 50 shown');
  const firstPage = await rows.getByRole('link').allTextContents();

  await pager.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/dashboard\/subscriptions\?pages=sub_[0-9A-Z]{26}$/);
  await expect(rows).toHaveCount(3);
  await expect(pager).toContainText('Page 2 · 3 shown');
  const secondPage = await rows.getByRole('link').allTextContents();
  expect(secondPage.filter((u) => firstPage.includes(u))).toEqual([]);
  const page2Url = page.url();

  // A refresh stays on page 2.
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(pager).toContainText('Page 2 · 3 shown');

  // Into a subscription and back: page 2 again.
  await rows.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
  await page.goBack();
  await expect(page).toHaveURL(page2Url);
  await expect(rows).toHaveCount(3);

  // The health window changes the columns, not the page.
  await page.getByRole('group', { name: 'Health window' }).getByRole('button', { name: 'Last 24 hours' }).click();
  await expect(page).toHaveURL(/[?&]range=day/);
  await expect(page).toHaveURL(/[?&]pages=sub_/);
  await expect(rows).toHaveCount(3);

  // Back returns to page 1, forward to page 2; Previous goes to page 1 and drops the cursor.
  await page.goBack();
  await expect(rows).toHaveCount(50);
  await expect(pager).toContainText('Page 1');
  await page.goForward();
  await expect(rows).toHaveCount(3);
  await pager.getByRole('button', { name: 'Previous' }).click();
  await expect(rows).toHaveCount(50);
  await expect(page).not.toHaveURL(/pages=/);

  // A hand-edited cursor is ignored: the first page, not an error.
  await page.goto('/dashboard/subscriptions?pages=sub_nope,../x');
  await expect(rows).toHaveCount(50);
  await expect(pager).toContainText('Page 1');
});
