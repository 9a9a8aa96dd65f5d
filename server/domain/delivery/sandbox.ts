import {
  newQuickJSWASMModule,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import { z } from 'zod';
import { HARNESS } from './sandbox-harness';

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
 * and context: a context reused per subscription would let one event's run leave globals, prototypes
 * or a half-finished state behind for the next, and share one memory budget across calls (its cost:
 * docs/performance.md, "Delivery: why the code is shaped so"). An error the module itself raises (the
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
type SandboxOutput = { cancel?: boolean; url?: string; headers?: Record<string, string>; body?: string };

const sandboxOutput = z.strictObject({
  cancel: z.boolean().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

export type SandboxRun =
  { ok: true; output: SandboxOutput; cpuMs: number } | { ok: false; error: string; cpuMs: number };

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

/** Wording for an error that escaped the harness (only the limits' own errors can). */
function limitMessage(raw: string, interrupted: boolean, limits: typeof SANDBOX_LIMITS): string {
  if (interrupted) return `transform ran out of time: it used its ${limits.cpuMs} ms of CPU time (an endless loop?)`;
  if (/out of memory/i.test(raw))
    return `transform ran out of memory: it used its ${limits.memoryBytes / 1024 / 1024} MiB`;
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
  if ('error' in result)
    return { ok: false, error: limitMessage(result.error, state.interrupted, limits), cpuMs: used };
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
    if (vm.typeof(fn) !== 'function')
      return { error: 'the code must define a function named transform, e.g. function transform(webhook) { … }' };
    if (job.input === undefined) return { ok: true, output: {} };
    const called = vm.callFunction(run, vm.undefined, fn, keep(vm.newString(job.input)));
    if (called.error) return failure(called.error);
    const answer = keep(called.value);
    if (vm.typeof(answer) !== 'string') return { error: 'the transform sandbox answered unexpectedly' };
    // Measured before it is copied out, so an oversized answer never crosses into the host.
    const length = vm.getNumber(keep(vm.getProp(answer, 'length')));
    if (length > job.maxOutputChars + 1)
      return { error: `transform returned more than ${job.maxOutputChars} characters` };
    const text = vm.getString(answer);
    const tag = text[0];
    const rest = text.slice(1);
    if (tag === 'R') {
      // Checked again on this side: code that rewrote the built-ins the harness uses could have bent its answer.
      const output = sandboxOutput.safeParse(JSON.parse(rest));
      return output.success
        ? { ok: true, output: output.data }
        : { error: 'transform returned a value of an unexpected shape' };
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
export async function runTransform(
  source: string,
  input: string,
  opts: { maxOutputChars: number },
  limits = SANDBOX_LIMITS,
): Promise<SandboxRun> {
  return sandboxed({ source, input, maxOutputChars: opts.maxOutputChars }, limits);
}
