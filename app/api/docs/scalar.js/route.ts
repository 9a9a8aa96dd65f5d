import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Scalar's standalone renderer, from the exact @scalar/api-reference version in package.json, served
 * from our own origin for /api/docs. Read once per process (about 5 MB; the package does not export the
 * file, hence the path into node_modules).
 */
let bundle: Promise<Buffer> | undefined;

export async function GET(): Promise<Response> {
  bundle ??= readFile(path.join(process.cwd(), 'node_modules/@scalar/api-reference/dist/browser/standalone.js')).catch(
    (err: unknown) => {
      bundle = undefined;
      throw err;
    },
  );
  return new Response(new Uint8Array(await bundle), {
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' },
  });
}
