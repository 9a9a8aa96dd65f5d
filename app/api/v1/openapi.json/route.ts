import { openApiDocument } from '@/server/api/openapi';
import { publicBaseUrl } from '@/server/web';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return Response.json(openApiDocument(publicBaseUrl(req)));
}
