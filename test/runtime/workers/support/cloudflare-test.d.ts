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
  /** A queue batch for a `queue()` handler; its acks and retries are read back with getQueueResult. */
  export function createMessageBatch<Body = unknown>(
    queueName: string,
    messages: { id: string; timestamp: Date | number; attempts: number; body: Body }[],
  ): { readonly queue: string; readonly messages: readonly unknown[] };
  /** What a queue handler did with a batch from createMessageBatch, once ctx's waitUntil work settled. */
  export function getQueueResult(
    batch: unknown,
    ctx: TestExecutionContext,
  ): Promise<{
    outcome: string;
    ackAll: boolean;
    retryBatch: { retry: boolean; delaySeconds?: number };
    explicitAcks: string[];
    retryMessages: { msgId: string; delaySeconds?: number }[];
  }>;
}

declare module 'cloudflare:workers' {
  /** The pool's bindings (wrangler.toml vars and queue, the peers' vars, the test HYPERDRIVE). */
  export const env: Record<string, unknown>;
  /** The main Worker's exports, called through the runtime: each call is an invocation of its own. */
  export const exports: { default: { fetch(request: Request): Promise<Response> } };
}
