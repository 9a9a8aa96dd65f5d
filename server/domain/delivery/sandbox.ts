import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten';
import { z } from 'zod';

/**
 * The sandbox a subscription's transform runs in: QuickJS compiled to WebAssembly
 * (`quickjs-emscripten`, no native build). What the code can reach is the JavaScript language and its
 * built-ins (JSON, Math, Date, RegExp, …): no `require`, `import`, `process`, `fetch`, timers, console
 * or any other I/O, and it cannot see the host's objects, only the JSON it is handed.
 *
 * Limits, per call: `cpuMs` of CPU time (this thread's, checked by QuickJS's interrupt handler, so a
 * busy machine does not fail a transform that merely waited for a core; `wallMs` of wall time as a
 * backstop), `memoryBytes` of heap, `stackBytes` of stack, and an output of at most `maxOutputChars`.
 * One call to a built-in (a `JSON.stringify` of a large value, say) is not interrupted midway: the
 * memory limit bounds what it can work on.
 *
 * One WebAssembly module per process, loaded on first use and kept; every call gets a fresh runtime
 * and context (about 2 ms on a busy 2-core machine; a context reused per subscription would save about
 * half of it, but would let one event's run leave globals, prototypes or a half-finished state behind
 * for the next, and share one memory budget across calls). An error the module itself raises (the
 * host's stack overflowing inside deep native recursion, say) leaves its memory in an unknown state:
 * the module is dropped and the next call loads a fresh one. Nothing here ever throws: every failure
 * is a `{ ok: false, error }` for the caller to record.
 */
export const SANDBOX_LIMITS = {
  cpuMs: 50,
  wallMs: 2000,
  memoryBytes: 16 * 1024 * 1024,
  stackBytes: 256 * 1024,
} as const;

/** What a transform returned, checked for shape (types, known keys) and with `body` serialised to text. */
export type SandboxOutput = { cancel?: boolean; url?: string; headers?: Record<string, string>; body?: string };

const sandboxOutput = z.strictObject({
  cancel: z.boolean().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

export type SandboxRun = { ok: true; output: SandboxOutput; cpuMs: number } | { ok: false; error: string; cpuMs: number };

/** The process's module: loaded on first use, replaced when a failure inside it leaves it broken. */
let module: Promise<QuickJSWASMModule> | null = null;

function quickjs(): Promise<QuickJSWASMModule> {
  if (!module) {
    const loading = newQuickJSWASMModule(RELEASE_SYNC);
    module = loading;
    // A failed load is tried again by the next call rather than remembered.
    loading.catch(() => {
      if (module === loading) module = null;
    });
  }
  return module;
}

/** Loads the WebAssembly module now (a process that will run transforms may warm it up at start). */
export async function warmSandbox(): Promise<void> {
  await quickjs();
}

/**
 * Evaluated in every context before the transform's source, so it holds the built-ins as they were
 * before that code ran. `run(fn, input)` calls the transform on the parsed input and answers one string:
 * `R` + the output as JSON, `O` + why the output is not acceptable, or `T` + what the transform threw.
 * A transform that redefines these built-ins can only confuse its own result, which the host checks again.
 */
const HARNESS = String.raw`(() => {
  'use strict';
  const parse = JSON.parse, stringify = JSON.stringify, keys = Object.keys, isArray = Array.isArray, StringOf = String;
  const KNOWN = ['body', 'headers', 'url', 'cancel'];
  const what = (v) =>
    v === null ? 'null' : isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'undefined'
      : (/^[aeiou]/.test(typeof v) ? 'an ' : 'a ') + typeof v;
  const cut = (s, n) => (s.length > n ? s.slice(0, n) + '…' : s);
  const describe = (e) => {
    try {
      if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
        const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
        const at = typeof e.stack === 'string' ? /transform\.js:(\d+):(\d+)/.exec(e.stack.slice(0, 2000)) : null;
        return cut(name + ': ' + e.message, 1000) + (at ? ' (line ' + at[1] + ', column ' + at[2] + ')' : '');
      }
      if (typeof e === 'string') return cut(e, 1000);
      return cut(StringOf(stringify(e) ?? e), 1000);
    } catch {
      return 'a value that cannot be shown';
    }
  };
  return (fn, input) => {
    let r;
    try {
      r = fn(parse(input));
    } catch (e) {
      return 'T' + describe(e);
    }
    try {
      if (r === null || typeof r !== 'object' || isArray(r))
        return 'O' + 'transform must return an object {body?, headers?, url?, cancel?}, not ' + what(r);
      if (typeof r.then === 'function')
        return 'O' + 'transform returned a Promise: it must return its result directly (async functions are not supported)';
      for (const k of keys(r))
        if (!KNOWN.includes(k)) return 'O' + 'transform returned an unknown key "' + cut(k, 100) + '" (it may return body, headers, url and cancel)';
      const out = {};
      if (r.cancel !== undefined) {
        if (typeof r.cancel !== 'boolean') return 'O' + 'cancel must be true or false, not ' + what(r.cancel);
        out.cancel = r.cancel;
      }
      if (r.url !== undefined) {
        if (typeof r.url !== 'string') return 'O' + 'url must be a string, not ' + what(r.url);
        out.url = r.url;
      }
      if (r.headers !== undefined) {
        const h = r.headers;
        if (h === null || typeof h !== 'object' || isArray(h)) return 'O' + 'headers must be an object of strings, not ' + what(h);
        const o = {};
        for (const k of keys(h)) {
          const v = h[k];
          if (typeof v !== 'string') return 'O' + 'the value of header "' + cut(k, 100) + '" must be a string, not ' + what(v);
          o[k] = v;
        }
        out.headers = o;
      }
      if (r.body !== undefined) {
        if (typeof r.body === 'string') out.body = r.body;
        else {
          let s;
          try {
            s = stringify(r.body);
          } catch (e) {
            return 'O' + 'body cannot be serialised as JSON: ' + describe(e);
          }
          if (typeof s !== 'string') return 'O' + 'body must be a string or a JSON value, not ' + what(r.body);
          out.body = s;
        }
      }
      return 'R' + stringify(out);
    } catch (e) {
      return 'O' + 'reading what transform returned threw ' + describe(e);
    }
  };
})()`;

/** Wording for an error that escaped the harness (only the limits' own errors can). */
function limitMessage(raw: string, interrupted: boolean, limits: typeof SANDBOX_LIMITS): string {
  if (interrupted) return `transform ran out of time: it used its ${limits.cpuMs} ms of CPU time (an endless loop?)`;
  if (/out of memory/i.test(raw)) return `transform ran out of memory: it used its ${limits.memoryBytes / 1024 / 1024} MiB`;
  if (/stack overflow/i.test(raw)) return 'transform overflowed its stack (recursion too deep)';
  return raw;
}

/** A CPU clock for the calling thread, in ms (the process's where Node cannot measure a thread's). */
const cpuNow: () => number =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const u = process.threadCpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };

type Job = { source: string; input?: string; maxOutputChars: number };

/**
 * Compiles and runs `source` in a fresh runtime and context; with `input` (JSON text), calls its
 * `transform` on it. Answers the checked output, or why there is none.
 */
async function sandboxed(job: Job, limits: typeof SANDBOX_LIMITS): Promise<SandboxRun> {
  const loading = quickjs();
  let qjs: QuickJSWASMModule;
  try {
    qjs = await loading;
  } catch (err) {
    return { ok: false, error: `the transform sandbox could not start: ${String(err)}`, cpuMs: 0 };
  }
  const cpuStart = cpuNow();
  const wallStart = performance.now();
  const cpuMs = () => Math.round((cpuNow() - cpuStart) * 10) / 10;
  const state: RunState = { interrupted: false, broken: undefined };
  let runtime: QuickJSRuntime | undefined;
  let vm: QuickJSContext | undefined;
  let result: ReturnType<typeof runIn> | undefined;
  try {
    runtime = qjs.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    runtime.setInterruptHandler(() => {
      state.interrupted ||= cpuNow() - cpuStart > limits.cpuMs || performance.now() - wallStart > limits.wallMs;
      return state.interrupted;
    });
    vm = runtime.newContext();
    result = runIn(vm, job, state);
  } catch (err) {
    state.broken ??= err;
  }
  try {
    vm?.dispose();
    runtime?.dispose();
  } catch (err) {
    state.broken ??= err;
  }
  const used = cpuMs();
  if (state.broken !== undefined || !result) {
    // The module itself failed (the host's stack overflowed inside it, or it aborted): its memory
    // cannot be trusted any more. Drop it; the next call loads a fresh one.
    if (module === loading) module = null;
    const err = state.broken;
    const reason = state.interrupted
      ? limitMessage('', true, limits)
      : err instanceof RangeError
        ? 'transform overflowed its stack (recursion too deep)'
        : `the transform sandbox failed: ${String(err)}`;
    return { ok: false, error: reason, cpuMs: used };
  }
  if ('error' in result) return { ok: false, error: limitMessage(result.error, state.interrupted, limits), cpuMs: used };
  return { ...result, cpuMs: used };
}

type RunState = { interrupted: boolean; broken: unknown };

/** The work inside one context; every handle it makes is disposed before it returns. */
function runIn(vm: QuickJSContext, job: Job, state: RunState): { ok: true; output: SandboxOutput } | { error: string } {
  const handles: QuickJSHandle[] = [];
  const keep = (h: QuickJSHandle) => (handles.push(h), h);
  const failure = (h: QuickJSHandle): { error: string } => {
    keep(h);
    return { error: describeHostSide(vm, h) };
  };
  try {
    const harness = vm.evalCode(HARNESS, 'harness.js');
    if (harness.error) return failure(harness.error);
    const run = keep(harness.value);
    const evaluated = vm.evalCode(job.source, 'transform.js');
    if (evaluated.error) return failure(evaluated.error);
    keep(evaluated.value);
    // `transform` may be a function declaration (a property of the global object) or a top-level
    // `const`/`let` (a global binding that is not): read it the way the code itself would.
    const found = vm.evalCode('typeof transform === "function" ? transform : undefined', 'lookup.js');
    if (found.error) return failure(found.error);
    const fn = keep(found.value);
    if (vm.typeof(fn) !== 'function') return { error: 'the code must define a function named transform, e.g. function transform(webhook) { … }' };
    if (job.input === undefined) return { ok: true, output: {} };
    const called = vm.callFunction(run, vm.undefined, fn, keep(vm.newString(job.input)));
    if (called.error) return failure(called.error);
    const answer = keep(called.value);
    if (vm.typeof(answer) !== 'string') return { error: 'the transform sandbox answered unexpectedly' };
    // Measured before it is copied out, so an oversized answer never crosses into the host.
    const length = vm.getNumber(keep(vm.getProp(answer, 'length')));
    if (length > job.maxOutputChars + 1) return { error: `transform returned more than ${job.maxOutputChars} characters` };
    const text = vm.getString(answer);
    const tag = text[0];
    const rest = text.slice(1);
    if (tag === 'R') {
      // Checked again on this side: code that rewrote the built-ins the harness uses could have bent its answer.
      const output = sandboxOutput.safeParse(JSON.parse(rest));
      return output.success ? { ok: true, output: output.data } : { error: 'transform returned a value of an unexpected shape' };
    }
    if (tag === 'T') return { error: `transform threw ${rest}` };
    return { error: rest };
  } finally {
    // A failure to free a handle means the module's memory is off: the caller drops the module.
    for (const h of handles.reverse()) {
      try {
        if (h.alive) h.dispose();
      } catch (err) {
        state.broken ??= err;
      }
    }
  }
}

/** An error handle that escaped the harness (a syntax error, or a limit): its name and message, bounded. */
function describeHostSide(vm: QuickJSContext, error: QuickJSHandle): string {
  try {
    if (vm.typeof(error) !== 'object') return 'transform failed';
    const name = vm.getProp(error, 'name');
    const message = vm.getProp(error, 'message');
    const stack = vm.getProp(error, 'stack');
    try {
      const text = (h: QuickJSHandle) => (vm.typeof(h) === 'string' ? vm.getString(h).slice(0, 1000) : '');
      const at = /transform\.js:(\d+):(\d+)/.exec(text(stack));
      const head = `${text(name) || 'Error'}: ${text(message)}`;
      return at ? `${head} (line ${at[1]}, column ${at[2]})` : head;
    } finally {
      name.dispose();
      message.dispose();
      stack.dispose();
    }
  } catch {
    return 'transform failed';
  }
}

/**
 * Why `source` cannot be a transform (it does not compile, its top level throws or runs past a limit,
 * or it defines no function `transform`), or null when it can.
 */
export async function checkTransformSource(source: string, limits = SANDBOX_LIMITS): Promise<string | null> {
  const r = await sandboxed({ source, maxOutputChars: 0 }, limits);
  return r.ok ? null : r.error;
}

/**
 * Runs the transform defined by `source` on `input` (the webhook as JSON text). `maxOutputChars`
 * bounds the answer (its JSON, body included) before it leaves the sandbox.
 */
export async function runTransform(source: string, input: string, opts: { maxOutputChars: number }, limits = SANDBOX_LIMITS): Promise<SandboxRun> {
  return sandboxed({ source, input, maxOutputChars: opts.maxOutputChars }, limits);
}
