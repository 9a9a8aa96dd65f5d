import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../openapi';

/**
 * The committed OpenAPI snapshot and the TypeScript types generated from it (`pnpm openapi:snapshot`
 * writes both; server/api/openapi.test.ts fails while either is stale). Dev tooling only: the
 * running API serves the document it generates itself.
 */
export const SNAPSHOT_SERVER_URL = 'http://localhost:3000';
export const SNAPSHOT_PATH = 'server/api/__snapshots__/openapi.json';
export const CLIENT_TYPES_PATH = 'server/api/client/schema.ts';

export function snapshotDocument(): string {
  return `${JSON.stringify(openApiDocument(SNAPSHOT_SERVER_URL), null, 2)}\n`;
}

const HEADER = `/**
 * Generated from the OpenAPI document (server/api/__snapshots__/openapi.json) by openapi-typescript.
 * Do not edit: run \`pnpm openapi:snapshot\` after changing a procedure, its input or its output.
 */
`;

export async function generateClientTypes(documentJson: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(documentJson) as Parameters<typeof openapiTS>[0], {
    alphabetize: true,
    silent: true,
  });
  return HEADER + astToString(ast);
}
