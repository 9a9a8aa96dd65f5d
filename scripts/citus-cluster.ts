/**
 * `pnpm citus start|stop|status`: a local Citus cluster (a coordinator and two worker nodes) from
 * this machine's PostgreSQL binaries with Citus installed, in temporary data directories on free
 * ports (as the `postgres` user when run as root). `start` prints the coordinator's URL: point
 * DATABASE_URL at it and run `pnpm db:migrate`, the app, or `pnpm bench`. `stop` stops the nodes and
 * deletes their data. (Hookrelay's tables are not distributed yet: on this cluster they stay local
 * to the coordinator; docs/scaling.md has the plan.)
 *
 *   pnpm citus start [--workers 2] [--shards 32]
 *   pnpm citus stop
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findCitus, startCitusCluster } from './lib/citus';

const stateFile = path.resolve('.data/citus-cluster.json');
type State = { coordinatorUrl: string; workerUrls: string[]; dataDirs: string[]; bindir: string };

const [command = 'status', ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};

function readState(): State | null {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : null;
}

if (command === 'start') {
  const found = findCitus();
  if (!found.ok) {
    console.error(`Citus is not installed: ${found.reason}. Install it from Citus's packages (README.md, "Citus").`);
    process.exit(1);
  }
  if (readState()) {
    console.error(`A cluster is already running (${stateFile}); \`pnpm citus stop\` first.`);
    process.exit(1);
  }
  const cluster = await startCitusCluster({
    workers: Number(flag('workers') ?? 2),
    shardCount: Number(flag('shards') ?? 32),
  });
  mkdirSync(path.dirname(stateFile), { recursive: true });
  const state: State = {
    coordinatorUrl: cluster.coordinatorUrl,
    workerUrls: cluster.workerUrls,
    dataDirs: cluster.dataDirs,
    bindir: found.bindir,
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  console.log(`Citus (${found.version}): coordinator and ${cluster.workerUrls.length} workers running.`);
  console.log(`workers: ${cluster.workerUrls.join(' ')}`);
  console.log(`DATABASE_URL=${cluster.coordinatorUrl}`);
} else if (command === 'stop') {
  const state = readState();
  if (!state) {
    console.log('No cluster is running.');
    process.exit(0);
  }
  const asPostgres = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  for (const dir of state.dataDirs) {
    const args = [path.join(state.bindir, 'pg_ctl'), '-D', dir, '-m', 'fast', '-w', 'stop'];
    if (asPostgres.length) spawnSync('runuser', [...asPostgres, '--', ...args], { stdio: 'inherit' });
    else spawnSync(args[0]!, args.slice(1), { stdio: 'inherit' });
  }
  rmSync(path.dirname(state.dataDirs[0]!), { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  console.log('Cluster stopped, data removed.');
} else {
  const state = readState();
  const found = findCitus();
  console.log(
    found.ok ? `Citus installed (${found.version}, ${found.bindir})` : `Citus not installed: ${found.reason}`,
  );
  console.log(state ? `running: DATABASE_URL=${state.coordinatorUrl}` : 'no cluster running (pnpm citus start)');
}
