/**
 * `pnpm openapi:snapshot`: writes the OpenAPI document to its committed snapshot and regenerates the
 * typed client's types from it. Run it after changing a REST procedure; review the diff: it is the
 * change every API client sees.
 */
import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, generateClientTypes, SNAPSHOT_PATH, snapshotDocument } from '../server/api/client/generate';

const doc = snapshotDocument();
writeFileSync(SNAPSHOT_PATH, doc);
writeFileSync(CLIENT_TYPES_PATH, await generateClientTypes(doc));
console.log(`wrote ${SNAPSHOT_PATH} and ${CLIENT_TYPES_PATH}`);
process.exit(0);
