import type { Boss } from '../server/queue/boss';
import { catalog, type JobKey } from '../server/queue/catalog';

/** Schedules every catalog entry that has a cron (pg-boss runs the schedules on workers only). */
export async function scheduleCrons(boss: Boss): Promise<void> {
  for (const key of Object.keys(catalog) as JobKey[]) {
    const entry = catalog[key];
    if ('cron' in entry) await boss.schedule(entry.name, entry.cron, {});
  }
}
