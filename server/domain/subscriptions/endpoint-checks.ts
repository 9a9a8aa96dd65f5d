import type { Ctx } from '../context';
import { DomainError, invalidInput } from '../errors';
import { checkTargetUrl } from '../delivery/url-guard';
import { checkTransformSource } from '../delivery/sandbox';

/** A subscription's URL must be a target Hookrelay may send to (delivery/url-guard.ts): otherwise a 400 naming `url`. */
export function checkUrl(ctx: Ctx, url: string | undefined) {
  if (url === undefined) return;
  const reason = checkTargetUrl(url, ctx.config.allowPrivateTargets, ctx.config.targetPorts);
  if (reason) throw new DomainError('bad_request', `url ${reason}`, { field: 'url' });
}

/**
 * A transformation is checked when it is saved: it compiles, its top level runs within the sandbox's
 * limits, and it defines `transform` (delivery/sandbox.ts). Otherwise a 400 naming `transform`.
 */
export async function checkTransform(source: string | null | undefined) {
  if (source === null || source === undefined) return;
  const reason = await checkTransformSource(source);
  if (reason) throw invalidInput([{ field: 'transform', reason }]);
}
