import { X509Certificate } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createPki } from '../tests/support/certificates';
import { expect, test } from './support/fixtures';
import { api, seedCustomer } from './support/api';
import { openNewSubscription } from './support/auth';
import { screenshots } from './support/screenshots';

/** No serious or critical axe violation on what is on screen (light theme). */
async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(
    result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `${what}: accessibility violations`,
  ).toEqual([]);
}

test('a client certificate uploaded on the subscription form is checked, never shown again, and its expiry is on the subscription page', async ({
  page,
}) => {
  // Three accessibility audits and two sets of screenshots: more than the default minute on a busy machine.
  test.setTimeout(120_000);
  const pki = createPki('e2e');
  try {
    // Ten days left: inside the 14-day warning.
    const cert = pki.issue('e2e-client', { days: 10 });
    const other = pki.issue('someone-else');
    const x509 = new X509Certificate(cert.cert);
    const notAfter = new Date(x509.validTo).toISOString();
    const who = await seedCustomer('Mtls');

    const dialog = await openNewSubscription(page, who, 'https://hooks.example.com/mtls', 'order.*');
    await dialog.getByLabel('Endpoint authentication').selectOption('mtls');
    await dialog.getByLabel('Certificate (PEM): load from a file').setInputFiles(cert.certPath);
    await expect(dialog.getByLabel('Certificate (PEM)', { exact: true })).toHaveValue(cert.cert);
    // Someone else's key: the API refuses it, and the form says why under the field.
    await dialog.getByLabel('Private key (PEM)', { exact: true }).fill(other.key);
    await dialog.getByRole('button', { name: 'Create subscription' }).click();
    await expect(dialog.getByTestId('sub-authentication-error')).toHaveText(
      "Private key: Does not belong to the certificate (its public key is not the certificate's).",
    );
    await dialog.getByLabel('Private key (PEM): load from a file').setInputFiles(cert.keyPath);
    await expect(dialog.getByTestId('sub-authentication-error')).toBeHidden();
    await accessible(page, 'the form with a client certificate');
    await screenshots(page, 'subscription-form-mtls');
    await dialog.getByRole('button', { name: 'Create subscription' }).click();

    await expect(page).toHaveURL(/\/dashboard\/subscriptions\/sub_/);
    const subId = page.url().split('/').pop()!;
    const auth = page.getByTestId('subscription-authentication');
    await expect(auth).toContainText('Client certificate (mTLS)');
    await expect(auth).toContainText('CN=e2e-client, O=Hookrelay tests');
    await expect(auth).toContainText(x509.fingerprint256);
    const expiry = page.getByTestId('subscription-certificate-expiry');
    await expect(expiry).toContainText('Expires');
    await expect(expiry).toHaveAttribute('data-state', 'expiring');
    await expect(expiry.locator('time').first()).toHaveAttribute('datetime', notAfter);
    await expect(page.locator('body')).not.toContainText('PRIVATE KEY');
    await accessible(page, 'the subscription page with its certificate');
    await screenshots(page, 'subscription-mtls');

    const stored = await api<{ auth: Record<string, unknown> }>('GET', `/subscriptions/${subId}`);
    expect(stored.auth).toMatchObject({ type: 'mtls', fingerprint: x509.fingerprint256, notAfter });
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');

    // Editing other fields keeps the certificate without asking for it again.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit subscription' });
    await expect(edit.getByText('Current certificate:')).toContainText('CN=e2e-client, O=Hookrelay tests');
    await expect(edit.getByLabel('Certificate (PEM)', { exact: true })).toBeHidden();
    // The OAuth2 fields are laid out accessibly too (switching there and back changes nothing yet).
    await edit.getByLabel('Endpoint authentication').selectOption('oauth2');
    await expect(edit.getByLabel('Token URL')).toBeVisible();
    await accessible(page, 'the form with OAuth2 fields');
    await edit.getByLabel('Endpoint authentication').selectOption('mtls');
    await edit.getByLabel('Description').fill('Behind mTLS');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit).toBeHidden();
    const after = await api<{ description: string; auth: Record<string, unknown> }>('GET', `/subscriptions/${subId}`);
    expect(after).toMatchObject({ description: 'Behind mTLS', auth: { fingerprint: x509.fingerprint256 } });
  } finally {
    pki.remove();
  }
});
