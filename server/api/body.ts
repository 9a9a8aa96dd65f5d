import { DomainError } from '../domain/errors';
import { JsonInputError, parseJsonInput } from '../json';

/**
 * Reads a request body, counting bytes as they stream in: null as soon as it passes `limit` (the
 * rest is not read), whether or not a Content-Length was declared (a chunked body has none).
 */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

/**
 * A request body as JSON (REST, tRPC): an empty body is `{}`; not JSON, or nested deeper than
 * MAX_JSON_DEPTH levels, is a 400 on `body`. Numbers keep their exact text (server/domain/json.ts).
 */
export function parseBody(bytes: Buffer, skip = 0): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  return parseJsonText(text, 'body', 'request body', skip);
}

/**
 * JSON text from a client (a body, a tRPC `?input=`), or the 400 naming the place it went wrong
 * (`name.0.0` for a value nested too deep under `name`), else `field`. `skip` leading steps of that
 * place are not fields (a tRPC batch's call index).
 */
export function parseJsonText(text: string, field: string, what: string, skip = 0): unknown {
  try {
    return parseJsonInput(text);
  } catch (err) {
    if (!(err instanceof JsonInputError)) throw err;
    const place = err.place.slice(skip).filter((t) => t !== '');
    throw new DomainError('bad_request', `${what} ${err.message}`, { field: place.length ? place.join('.') : field });
  }
}

/** Form posts (sign-in, the portal's token): a few fields, never more than this. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * A form post's route, with its body read at most MAX_FORM_BYTES (by its declared length, or as it
 * streams in): a larger one is a 413 before the handler runs; the handler gets the body in hand.
 */
export function withFormLimit(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return async (req) => {
    const declared = Number(req.headers.get('content-length') ?? '0');
    const body = declared > MAX_FORM_BYTES ? null : await readAtMost(req.body, MAX_FORM_BYTES);
    if (body === null) {
      return new Response(`Request body too large: a form post may be at most ${MAX_FORM_BYTES} bytes.`, {
        status: 413,
        headers: { 'content-type': 'text/plain', connection: 'close' },
      });
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    return handler(
      new Request(req.url, {
        method: req.method,
        headers: req.headers,
        ...(hasBody && { body: new Uint8Array(body) }),
        signal: req.signal,
      }),
    );
  };
}
