import { expect, test } from './support/fixtures';
import { api, seedCustomer } from './support/api';
import { signIn } from './support/auth';

test('the events page filtered by tag in the URL shows only the tagged events, with their channels and tags', async ({
  page,
}) => {
  const { customerId, email, password } = await seedCustomer('Tags');
  const publish = (body: Record<string, unknown>) =>
    api<{ id: string }>('POST', '/events', { type: 'order.created', customerId, data: {}, ...body });
  const vip1 = await publish({ tags: ['vip', 'q4'], channels: ['eu-west'] });
  const plain = await publish({ tags: ['q4'] });
  const vip2 = await publish({ tags: ['vip'] });
  // The same tag on another customer's event is never shown.
  const other = await seedCustomer('Tags other');
  const theirs = await api<{ id: string }>('POST', '/events', {
    type: 'order.created',
    customerId: other.customerId,
    data: {},
    tags: ['vip'],
  });

  await signIn(page, email, password);
  await page.goto('/dashboard/events?tag=vip');
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(vip2.id);
  await expect(rows.nth(1)).toContainText(vip1.id);
  await expect(page.getByText(plain.id)).toHaveCount(0);
  await expect(page.getByText(theirs.id)).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Tag' })).toHaveValue('vip');
  await expect(rows.nth(1).getByTestId('event-labels')).toContainText('#eu-west');

  // A channel narrows it further; clearing shows every event again.
  await page.getByRole('textbox', { name: 'Channel' }).fill('eu-west');
  await expect(page).toHaveURL(/channel=eu-west/);
  await expect(rows).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows).toHaveCount(3);

  // The event page shows its channels and tags; a tag leads back to the log filtered by it.
  await page.goto(`/dashboard/events/${vip1.id}`);
  const labels = page.getByTestId('event-channels-tags');
  await expect(labels).toContainText('eu-west');
  await expect(labels).toContainText('vip');
  await labels.getByRole('link', { name: 'q4' }).click();
  await expect(page).toHaveURL(/\/dashboard\/events\?tag=q4$/);
  await expect(rows).toHaveCount(2);

  // A channel the API would refuse is explained next to the filters and not sent.
  await page.goto('/dashboard/events?channel=no%20spaces');
  await expect(page.getByText('A channel is 1 to 64 of A-Z a-z 0-9 . _ : - only.')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Channel' })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('searchbox', { name: 'Search events by id or type' })).toHaveAttribute(
    'aria-invalid',
    'false',
  );
  await expect(rows).toHaveCount(0);
});

test("a subscription's channels are shown on its page and edited in its form, checked with the API's rules", async ({
  page,
}) => {
  const { customerId, email, password } = await seedCustomer('Channels');
  const sub = await api<{ id: string }>('POST', '/subscriptions', {
    customerId,
    url: 'http://127.0.0.1:9/hook',
    eventTypes: ['order.*'],
    channels: ['eu-west'],
  });
  await signIn(page, email, password);
  await page.goto(`/dashboard/subscriptions/${sub.id}`);
  await expect(page.getByTestId('subscription-channels')).toHaveText('eu-west');

  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit subscription' });
  const channels = edit.getByLabel('Channels');
  await expect(channels).toHaveValue('eu-west');
  await channels.fill('eu-west, has:colon, eu-west');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(channels).toHaveAttribute('aria-invalid', 'true');
  await expect(edit.getByText('"eu-west" is given twice (also at 0)', { exact: true })).toBeVisible();
  await channels.fill('eu-west, eu/west');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    edit.getByText('"eu/west": a channel name is made of A-Z a-z 0-9 . _ : - only', { exact: true }),
  ).toBeVisible();
  await channels.fill('eu-west, orders');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByTestId('subscription-channels')).toHaveText('eu-westorders');
});
