import { metricsResponse } from '@/server/api/metrics';

/** Prometheus scrape target (text exposition format). */
export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return metricsResponse(req);
}
