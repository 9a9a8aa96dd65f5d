import { describe, expect, it } from 'vitest';
import { MAX_FORM_BYTES, withFormLimit } from './body';

/**
 * Form posts (the portal's token, the sign-in callback: app/portal/continue, app/api/auth) are small:
 * their body is read at most 16 KiB, and a larger one is a 413 before the route's handler runs.
 */
function post(body: string | ReadableStream<Uint8Array>) {
  return new Request('http://hookrelay.test/portal/continue', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    ...(typeof body !== 'string' && { duplex: 'half' }),
  });
}

/** A route that records whether it ran and what token it read. */
function route() {
  const seen: Array<string | null> = [];
  const handler = withFormLimit(async (req) => {
    seen.push((await req.formData()).get('token') as string | null);
    return new Response(null, { status: 303 });
  });
  return { handler, seen };
}

describe('withFormLimit', () => {
  it('answers 413 to a 17 KiB form and does not run the route', async () => {
    const { handler, seen } = route();
    const res = await handler(post(`token=${'a'.repeat(17 * 1024)}`));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain(`at most ${MAX_FORM_BYTES} bytes`);
    expect(seen).toEqual([]);
  });

  it('refuses a body that declares no length as it streams, without reading it whole', async () => {
    const { handler, seen } = route();
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= 8 * 1024 * 1024) return c.close();
        pulled += 4096;
        c.enqueue(new Uint8Array(4096).fill(0x61));
      },
    });
    const res = await handler(post(stream));
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(64 * 1024);
    expect(seen).toEqual([]);
  });

  it('hands a form within the bound to the route, whole', async () => {
    const { handler, seen } = route();
    const token = 'b'.repeat(MAX_FORM_BYTES - 'token='.length);
    expect((await handler(post(`token=${token}`))).status).toBe(303);
    expect(seen).toEqual([token]);
  });
});
