import postgres from 'postgres';

/**
 * What one unit of work (a delivery, a publish) costs PostgreSQL, from the server's own counters:
 * statements executed and rows they touched (pg_stat_statements), transactions committed
 * (pg_stat_database) and WAL written (pg_stat_wal), as deltas over a phase of a benchmark divided by
 * the units that phase completed. Statements are round trips here: postgres.js sends each as its
 * own extended-protocol exchange (pipelined only within one transaction's queue). The benchmarks'
 * server tracks top-level statements only, so foreign-key checks and the like are not counted.
 *
 * Needs pg_stat_statements loaded (`shared_preload_libraries`): the benchmarks' embedded server
 * loads it; on a DATABASE_URL server without it, `available` is false and the table says so.
 */
type CostSnapshot = { walBytes: number; walRecords: number; commits: number };
export type Cost = {
  units: number;
  statementsPerUnit: number;
  rowsPerUnit: number;
  commitsPerUnit: number;
  walBytesPerUnit: number;
  walRecordsPerUnit: number;
  /** PostgreSQL execution time of the top-level statements, ms per unit. */
  execMsPerUnit: number;
  top: Array<{ statement: string; callsPerUnit: number; rowsPerUnit: number; msPerUnit: number }>;
};

export type CostProbe = {
  available: boolean;
  begin(): Promise<CostSnapshot>;
  end(from: CostSnapshot, units: number): Promise<Cost | null>;
  close(): Promise<void>;
};

export async function costProbe(url: string): Promise<CostProbe> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let available = true;
  try {
    await sql`create extension if not exists pg_stat_statements`;
    await sql`select 1 from pg_stat_statements limit 1`;
  } catch {
    available = false;
  }
  const snapshot = async (): Promise<CostSnapshot> => {
    const [w] = await sql<
      { wal_bytes: string; wal_records: string }[]
    >`select wal_bytes::text, wal_records::text from pg_stat_wal`;
    const [d] = await sql<
      { commits: string }[]
    >`select xact_commit::text as commits from pg_stat_database where datname = current_database()`;
    return {
      walBytes: Number(w?.wal_bytes ?? 0),
      walRecords: Number(w?.wal_records ?? 0),
      commits: Number(d?.commits ?? 0),
    };
  };
  return {
    available,
    async begin() {
      if (available) await sql`select pg_stat_statements_reset()`;
      // pg_stat_database is refreshed at transaction end: read it after a fresh snapshot.
      await sql`select pg_stat_clear_snapshot()`;
      return snapshot();
    },
    async end(from, units) {
      if (!available || units <= 0) return null;
      await sql`select pg_stat_clear_snapshot()`;
      const to = await snapshot();
      // The probe's own statements are left out; transaction control (begin/commit) counts as a
      // round trip but touches no rows.
      const rows = await sql<{ query: string; calls: string; rows: string; ms: number }[]>`
        select query, calls::text, rows::text, total_exec_time as ms from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query not like '%pg_stat_%' and query not like 'create extension%'
        order by calls desc`;
      const calls = rows.reduce((a, r) => a + Number(r.calls), 0);
      const touched = rows.reduce((a, r) => a + Number(r.rows), 0);
      // Batched statements differ only by the length of their VALUES/IN lists: one line each.
      const grouped = new Map<string, { calls: number; rows: number; ms: number }>();
      for (const r of rows) {
        const key = shape(r.query);
        const g = grouped.get(key) ?? { calls: 0, rows: 0, ms: 0 };
        grouped.set(key, { calls: g.calls + Number(r.calls), rows: g.rows + Number(r.rows), ms: g.ms + r.ms });
      }
      return {
        units,
        statementsPerUnit: calls / units,
        rowsPerUnit: touched / units,
        commitsPerUnit: (to.commits - from.commits) / units,
        walBytesPerUnit: (to.walBytes - from.walBytes) / units,
        walRecordsPerUnit: (to.walRecords - from.walRecords) / units,
        execMsPerUnit: rows.reduce((a, r) => a + r.ms, 0) / units,
        top: [...grouped]
          .sort((a, b) => b[1].calls - a[1].calls)
          .slice(0, 15)
          .map(([statement, g]) => ({
            statement,
            callsPerUnit: g.calls / units,
            rowsPerUnit: g.rows / units,
            msPerUnit: g.ms / units,
          })),
      };
    },
    close: () => sql.end(),
  };
}

/** A statement's shape: parameters and parameter lists folded, whitespace collapsed, cut short. */
function shape(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .replace(/\$\d+/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/g, '(…)')
    .slice(0, 100);
}

/** Rounds for a table: small per-unit figures keep two or three significant digits. */
export function per(n: number): number {
  if (n >= 100) return Math.round(n);
  if (n >= 1) return Math.round(n * 100) / 100;
  return Math.round(n * 1000) / 1000;
}
