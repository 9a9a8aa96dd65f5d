import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_SECONDS, parseTokenResponse } from './endpoint-auth';

describe('parseTokenResponse: a token endpoint answer (RFC 6749 5.1, 5.2)', () => {
  const ok = (body: unknown) => parseTokenResponse(200, JSON.stringify(body));

  it('takes the access token and its lifetime, as a number or a numeric string', () => {
    expect(ok({ access_token: 'eyJhbGciOi.x.y', token_type: 'Bearer', expires_in: 3600 })).toEqual({
      accessToken: 'eyJhbGciOi.x.y',
      expiresInSeconds: 3600,
    });
    expect(ok({ access_token: 'opaque', token_type: 'bearer', expires_in: '120' })).toEqual({
      accessToken: 'opaque',
      expiresInSeconds: 120,
    });
    expect(ok({ access_token: 'no-type', expires_in: 0 })).toEqual({ accessToken: 'no-type', expiresInSeconds: 0 });
  });

  it('without expires_in, keeps the token for the default lifetime', () => {
    expect(ok({ access_token: 't', token_type: 'Bearer' })).toEqual({
      accessToken: 't',
      expiresInSeconds: DEFAULT_TOKEN_SECONDS,
    });
  });

  it('an error answer names the status and the error code, nothing else of the body', () => {
    expect(
      parseTokenResponse(
        401,
        JSON.stringify({ error: 'invalid_client', error_description: 'client secret hunter2 is wrong' }),
      ),
    ).toEqual({
      problem: 'was answered HTTP 401 (invalid_client)',
    });
    expect(parseTokenResponse(500, '<html>oops</html>')).toEqual({ problem: 'was answered HTTP 500' });
    // An `error` that is not an RFC 6749 error code (control characters, too long) is not repeated.
    expect(parseTokenResponse(400, JSON.stringify({ error: 'a\nb' }))).toEqual({ problem: 'was answered HTTP 400' });
    expect(parseTokenResponse(400, JSON.stringify({ error: 'x'.repeat(65) }))).toEqual({
      problem: 'was answered HTTP 400',
    });
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', 'access_token=abc', /^was not answered with a JSON object$/],
    ['a JSON array', '[1]', /^was not answered with a JSON object$/],
    ['a body cut short', '{"access_token":"abc', /^was not answered with a JSON object$/],
    ['no access_token', '{"token_type":"Bearer"}', /^was answered without a usable access_token$/],
    ['an empty access_token', '{"access_token":""}', /^was answered without a usable access_token$/],
    ['an access_token that is not a string', '{"access_token":42}', /^was answered without a usable access_token$/],
    [
      'an access_token with a line break (a header injection)',
      '{"access_token":"abc\\r\\nX-Evil: 1"}',
      /^was answered without a usable access_token$/,
    ],
    ['an access_token with a space', '{"access_token":"a b"}', /^was answered without a usable access_token$/],
    [
      'an access_token of 8193 characters',
      JSON.stringify({ access_token: 'a'.repeat(8193) }),
      /^was answered without a usable access_token$/,
    ],
    [
      'a MAC token',
      '{"access_token":"abc","token_type":"mac"}',
      /^was answered with a token of type "mac", not Bearer$/,
    ],
    [
      'a token type that is not a string',
      '{"access_token":"abc","token_type":1}',
      /^was answered with a token of type unknown, not Bearer$/,
    ],
    [
      'a negative expires_in',
      '{"access_token":"abc","expires_in":-1}',
      /^was answered with an expires_in that is not a number of seconds$/,
    ],
    [
      'an expires_in that is text',
      '{"access_token":"abc","expires_in":"soon"}',
      /^was answered with an expires_in that is not a number of seconds$/,
    ],
  ])('refuses %s', (_, body, problem) => {
    const out = parseTokenResponse(200, body);
    expect(out).toEqual({ problem: expect.stringMatching(problem) });
    // The token itself never appears in the words.
    expect(JSON.stringify(out)).not.toContain('X-Evil');
  });

  it('accepts a token of exactly 8192 visible characters', () => {
    expect(ok({ access_token: 'a'.repeat(8192) })).toMatchObject({ expiresInSeconds: DEFAULT_TOKEN_SECONDS });
  });
});
