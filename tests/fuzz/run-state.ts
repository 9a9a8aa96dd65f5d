import type { Ctx } from '../../server/domain/context';
import type { roomyLimiter } from '../support/api';
import type { World } from '../support/api-world';
import type { Ids } from './inputs';
import type { Op, Where } from './operations';
import type { Failure, Stats } from './report';

/** What one fuzz run's steps share: the world, the operations, the counts so far, and customer A's objects for the batch. */
export type FuzzRun = {
  ctx: Ctx;
  w: World;
  ops: Op[];
  rateLimiter: ReturnType<typeof roomyLimiter>;
  stats: Stats;
  fail: (f: Failure) => void;
  /** Objects of B that A must never see, by prefix (the broadcast event is both customers'). */
  bIds: Ids;
  bSecrets: string[];
  /** A's objects for this batch. */
  ids: Ids;
  /** Where each REST field travels, by `procedure:field`. */
  restWhere: Map<string, Where>;
  /** Operations whose valid skeleton was accepted. */
  validOps: Set<number>;
  keyFor: (op: Op) => string;
};
