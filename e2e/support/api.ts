import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Specs seed their own data through the public API with the platform key the e2e server made. */
export function e2eEnv(): { baseUrl: string; platformKey: string } {
  return JSON.parse(readFileSync('test-results/e2e-env.json', 'utf8')) as { baseUrl: string; platformKey: string };
}

export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  key = e2eEnv().platformKey,
): Promise<T> {
  const res = await fetch(`${e2eEnv().baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let counter = 0;
/** A customer with a dashboard login. */
export async function seedCustomer(label: string) {
  const n = `${Date.now()}-${++counter}`;
  const customer = await api<{ id: string }>('POST', '/customers', { name: `${label} ${n}` });
  const email = `${label.toLowerCase().replace(/\W/g, '')}-${n}@example.test`;
  const password = 'correct-horse-battery';
  await api('POST', `/customers/${customer.id}/users`, { email, password });
  return { customerId: customer.id, email, password };
}

/** A local webhook receiver whose answer the spec controls. */
export async function receiver(status: () => number = () => 200) {
  const bodies: string[] = [];
  const requests: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      bodies.push(b);
      requests.push({ headers: req.headers, body: b });
      res.writeHead(status(), { 'content-type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type Subscription = { id: string; url: string; secret: string };

export function createSubscription(
  customerId: string,
  body: {
    url: string;
    eventTypes: string[];
    retryPolicy?: { maxAttempts?: number; scheduleSeconds?: number[] };
    description?: string;
  },
) {
  return api<Subscription>('POST', '/subscriptions', { customerId, ...body });
}

export function publish(customerId: string, type: string, data: unknown = {}) {
  return api<{ id: string; deliveries: number | null }>('POST', '/events', { customerId, type, data });
}

/** The deliveries of an event, once its fan-out has made them. */
export async function deliveriesOf(eventId: string) {
  return (
    await api<{ deliveries: { id: string; status: string; subscriptionId: string }[] }>('GET', `/events/${eventId}`)
  ).deliveries;
}

/** Two catalog types under `prefix`: `.order.created` with a schema and an example, `.order.paid` without. */
export async function seedEventTypes(prefix: string) {
  await api('POST', '/event-types', {
    name: `${prefix}.order.created`,
    description: 'An order was placed',
    schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } },
    example: { amount: 4200 },
  });
  await api('POST', '/event-types', { name: `${prefix}.order.paid`, description: 'An order was paid' });
}
