/**
 * The few `cloudflare:test` helpers these tests use, typed structurally. The package's own
 * declarations need @cloudflare/workers-types as global types, which clash with the DOM
 * lib the rest of the program compiles against.
 */
declare module 'cloudflare:test' {
  interface TestExecutionContext {
    waitUntil(promise: Promise<unknown>): void;
    passThroughOnException(): void;
  }
  interface TestScheduledController {
    readonly scheduledTime: number;
    readonly cron: string;
    noRetry(): void;
  }
  /** An ExecutionContext whose waitUntil promises waitOnExecutionContext can await. */
  export function createExecutionContext(): TestExecutionContext;
  /** Resolves once every promise passed to ctx.waitUntil has settled. */
  export function waitOnExecutionContext(ctx: TestExecutionContext): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: number | Date; cron?: string }): TestScheduledController;
}

declare module 'cloudflare:workers' {
  /** The pool's bindings (wrangler.toml vars and the test HYPERDRIVE). */
  export const env: Record<string, unknown>;
}
