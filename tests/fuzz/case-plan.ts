import { describeValue, toJsonText } from './hostile';
import type { FuzzCase } from './cases';
import { mutate, skeleton } from './inputs';
import { ID_PREFIX, type Op } from './operations';
import { buildRest, buildTrpc, type Built } from './requests';
import type { FuzzRun } from './run-state';

/** One case's request: what is sent, with which key, and the answer it expects (null: the answer's general checks only). */
export type Planned = {
  op: Op;
  key: string | undefined;
  built: Built;
  expect: { statuses: number[]; why: string } | null;
  broken: ReturnType<typeof mutate>;
};

/**
 * Builds the request of case `c` from the operation's valid skeleton for A's objects. Null when the
 * case does not apply to its operation: it is then run as the operation's valid input.
 */
export function planCase(run: FuzzRun, c: FuzzCase): Planned | null {
  const { w, ops, bIds, restWhere, keyFor, ids } = run;
  const op = ops[c.op]!;
  const m = c.mutation;
  const base = skeleton(op, ids);
  let key: string | undefined = keyFor(op);
  let built: Built;
  let expect: { statuses: number[]; why: string } | null = null;
  let broken: ReturnType<typeof mutate> = { input: base };

  switch (m.kind) {
    case 'valid':
    case 'field':
    case 'drop':
    case 'unknown': {
      broken = mutate(op, base, m);
      const req = op.door === 'rest' ? buildRest(op, broken.input, key) : buildTrpc(op, toJsonText(broken.input), key);
      const what =
        m.kind === 'field' && broken.field
          ? `${broken.field} = ${describeValue(broken.value)}`
          : m.kind === 'drop' && broken.field
            ? `without required ${broken.field}`
            : m.kind === 'unknown' && broken.field
              ? `unknown field ${JSON.stringify(broken.field.slice(0, 40))} = ${describeValue(broken.value)}`
              : 'valid input';
      built = { req, input: broken.input, described: what };
      break;
    }
    case 'body': {
      const req =
        op.door === 'rest'
          ? { ...buildRest(op, base, key), body: m.text }
          : buildTrpc(op, m.text === '' ? undefined : m.text, key);
      if (op.door === 'rest' && (op.method === 'GET' || op.method === 'DELETE'))
        req.headers['content-type'] = 'application/json';
      built = { req, input: undefined, described: `body ${m.label}` };
      break;
    }
    case 'contentType': {
      const req = op.door === 'rest' ? buildRest(op, base, key) : buildTrpc(op, toJsonText(base), key);
      if (m.type === undefined) delete req.headers['content-type'];
      else req.headers['content-type'] = m.type;
      built = { req, input: base, described: `valid input as Content-Type ${m.type ?? '(none)'}` };
      break;
    }
    case 'auth': {
      // The OpenAPI document is public: credentials change nothing there.
      if (op.procedure === 'openapi') return null;
      key = undefined;
      const req =
        op.door === 'rest'
          ? buildRest(op, base, undefined)
          : buildTrpc(op, m.body ? m.body.text : toJsonText(base), undefined);
      if (op.door === 'rest' && m.body && req.body !== undefined) req.body = m.body.text;
      if (m.header !== undefined) req.headers.authorization = m.header;
      built = {
        req,
        input: undefined,
        described: `Authorization ${m.header === undefined ? '(none)' : JSON.stringify(m.header.slice(0, 40))} with ${m.body ? `body ${m.body.label}` : 'a valid body'}`,
      };
      expect = { statuses: [401], why: 'no valid credentials: 401 before anything else' };
      break;
    }
    case 'customerKeyOnPlatform': {
      if (!op.platformOnly) return null;
      key = w.a.key;
      const req = op.door === 'rest' ? buildRest(op, base, key) : buildTrpc(op, toJsonText(base), key);
      built = { req, input: base, described: "a customer's key on a platform-only operation" };
      expect = { statuses: [403], why: 'platform-only operation' };
      break;
    }
    case 'foreign': {
      // Customer A names customer B's objects: a 404, or (a filter of a list) an empty list.
      // A cursor is a position in the caller's own list, not a reference to the object it names.
      const idFields = Object.entries(op.schema.properties ?? {}).filter(([name, s]) => {
        if (/cursor/i.test(name)) return false;
        const p = s.pattern && ID_PREFIX.exec(s.pattern)?.[1];
        return p && bIds[p];
      });
      if (op.platformOnly || idFields.length === 0) return null;
      key = w.a.key;
      const [field, s] = idFields[m.pick % idFields.length]!;
      const input = { ...base, [field]: bIds[ID_PREFIX.exec(s.pattern!)![1]!] };
      const req = op.door === 'rest' ? buildRest(op, input, key) : buildTrpc(op, toJsonText(input), key);
      built = { req, input, described: `customer A's key with customer B's ${field}` };
      // A list's filter (a query parameter of the REST door, also over tRPC) is not an object lookup.
      const isFilter =
        op.kind === 'query' && field !== 'customerId' && restWhere.get(`${op.procedure}:${field}`) === 'query';
      expect = {
        statuses: isFilter ? [404, 200] : [404],
        why: isFilter ? "another customer's id in a filter: 404 or an empty list" : "another customer's object: 404",
      };
      break;
    }
    case 'method': {
      if (op.door === 'trpc') {
        const req = buildTrpc(op, toJsonText(base), key);
        const other =
          op.kind === 'query'
            ? buildTrpc({ ...op, kind: 'mutation' }, toJsonText(base), key)
            : buildTrpc({ ...op, kind: 'query' }, toJsonText(base), key);
        built = { req: other, input: base, described: `${other.method} on a ${op.kind}` };
        void req;
        expect = { statuses: [405], why: 'wrong method' };
        break;
      }
      const req = buildRest({ ...op, method: m.method }, base, key);
      // `GET /events/batch` is `GET /events/{id}`: a method another route takes on this path is allowed.
      const concrete = req.url.replace(/\?.*$/, '');
      const allowed = ops
        .filter((o) => o.door === 'rest' && new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(concrete))
        .map((o) => o.method);
      if (allowed.includes(m.method) || m.method === 'HEAD') return null;
      built = { req, input: base, described: `${m.method} on ${op.path}` };
      expect = { statuses: [405], why: 'method not allowed' };
      break;
    }
    case 'batch': {
      if (op.door === 'rest') return null;
      const req = buildTrpc(op, toJsonText(base), key, m.size);
      built = { req, input: base, described: `tRPC batch of ${m.size} calls` };
      if (m.size > 20) expect = { statuses: [400], why: 'a tRPC batch holds at most 20 calls' };
      break;
    }
  }
  return { op, key, built, expect, broken };
}
