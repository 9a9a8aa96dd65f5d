import type { TestProject } from 'vitest/node';
import { startCitusCluster, type CitusCluster } from '../../scripts/lib/citus';

/**
 * The `citus` project's server: a local Citus cluster (a coordinator and two worker nodes from this
 * machine's PostgreSQL with Citus installed; scripts/lib/citus.ts). Each test file then creates a
 * database of its own on every node (tests/support/db.ts) and migrates it, which distributes the
 * tenant tables (server/db/citus.ts). Four shards per table keep that quick; both workers hold some.
 */
let cluster: CitusCluster | undefined;

export async function setup(project: TestProject) {
  cluster = await startCitusCluster({ workers: 2, durable: false, shardCount: 4 });
  project.provide('adminUrl', cluster.coordinatorUrl);
  project.provide('citusWorkerUrls', cluster.workerUrls);
}

export async function teardown() {
  await cluster?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    citusWorkerUrls: string[];
  }
}
