import { checkReady } from '@/server/api/health';

/** Readiness: database, queue schema, and at least one live worker. */
export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkReady();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
