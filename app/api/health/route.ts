import { checkHealth } from '@/server/api/health';

/** Liveness: this web process answers and reaches the database. */
export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
