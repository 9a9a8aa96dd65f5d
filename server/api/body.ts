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

/** Form posts (sign-in, the portal's token): a few fields, never more than this. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * A form post's body, read at most MAX_FORM_BYTES (by its declared length, or as it streams in):
 * null when it is larger, for a 413 from `formTooLarge`.
 */
export async function readForm(req: Request): Promise<Buffer | null> {
  if (Number(req.headers.get('content-length') ?? '0') > MAX_FORM_BYTES) return null;
  return readAtMost(req.body, MAX_FORM_BYTES);
}

export function formTooLarge(): Response {
  return new Response(`Request body too large: a form post may be at most ${MAX_FORM_BYTES} bytes.`, {
    status: 413,
    headers: { 'content-type': 'text/plain', connection: 'close' },
  });
}
