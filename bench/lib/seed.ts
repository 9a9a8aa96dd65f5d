import { platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';

/**
 * The end-to-end workload's tenants: `customers` customers with `subscriptions` subscriptions each to
 * `url`, every one matching `order.*`. Returns the customer ids.
 */
export async function seedCustomers(ctx: Ctx, url: string, customers = 20, subscriptions = 10): Promise<string[]> {
  const ids: string[] = [];
  for (let c = 0; c < customers; c++) {
    const cus = await createCustomer(ctx, platformScope, { name: `E2E ${c}` });
    for (let s = 0; s < subscriptions; s++)
      await createSubscription(ctx, platformScope, { customerId: cus.id, url, eventTypes: ['order.*'] });
    ids.push(cus.id);
  }
  return ids;
}
