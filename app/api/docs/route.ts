import { ApiReference } from '@scalar/nextjs-api-reference';

/** The rendered API reference (Scalar) over /api/v1/openapi.json. */
export const GET = ApiReference({ url: '/api/v1/openapi.json', pageTitle: 'Hookrelay API reference' });
