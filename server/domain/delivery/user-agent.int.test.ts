import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };
import { startEngine, subscribedReceiver } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';

const engine = fileScoped(() => startEngine('user_agent', { publicUrl: 'https://hooks.example.com' }));

async function userAgentSeen(): Promise<string | undefined> {
  const { r, publish } = await subscribedReceiver(engine, 'Acme');
  await publish();
  await r.waitFor(1);
  return r.received[0]!.headers['user-agent'];
}

describe('the User-Agent of an attempt', () => {
  it('names the product, its version and the operator’s PUBLIC_URL', async () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await userAgentSeen()).toBe(`Hookrelay/${pkg.version} (+https://hooks.example.com)`);
  });

  it('advertises no address when the operator set none', async () => {
    engine.ctx.config.publicUrl = undefined;
    const ua = await userAgentSeen();
    expect(ua).toBe(`Hookrelay/${pkg.version}`);
    expect(ua).not.toContain('github.com');
  });
});
