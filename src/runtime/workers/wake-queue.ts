/**
 * Wake-ups through Cloudflare Queues (docs/deploying.md#cloudflare-workers): when a delivery
 * is scheduled to try again, the invocation that wrote it sends a message delayed until then;
 * the message's consumer (the Worker's `queue` handler) sweeps due work with the same outbox
 * claims as the cron. A message only says "look now": Postgres holds the work. A lost message
 * leaves the retry to the next cron sweep; a duplicated one finds nothing left to claim
 * (claims are `FOR UPDATE SKIP LOCKED` with leases), so nothing is lost or sent twice.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { QueueBinding, WorkerQueueMessage } from './env.js';

/** The body of a wake-up message: when the work it wakes is due (ISO 8601). */
export interface WakeMessage {
  due: string;
}

/** Longest delay Queues accept (12 h): later work is woken then, and looks again, or is swept by the cron. */
export const MAX_WAKE_DELAY_S = 43_200;


export interface WakeSender {
  /** Sends a wake-up delayed until `at` (once per distinct time per invocation). */
  wakeAt(at: Date): void;
  /** Resolves when every send has been answered; failures are logged, never thrown. */
  settle(): Promise<void>;
}

/** Wake-ups of one invocation; without a queue binding, nothing is sent and the cron finds the work. */
export function createWakeSender(queue: QueueBinding | undefined, logger: Logger, clock: Clock): WakeSender {
  const sent = new Set<number>();
  const sends: Promise<void>[] = [];
  return {
    wakeAt(at) {
      if (!queue || sent.has(at.getTime())) return;
      sent.add(at.getTime());
      // Whole seconds, rounded up: the message arrives once the work is due, not before.
      const delaySeconds = Math.min(MAX_WAKE_DELAY_S, Math.max(0, Math.ceil((at.getTime() - clock.now()) / 1000)));
      const body: WakeMessage = { due: at.toISOString() };
      sends.push(
        queue.send(body, { delaySeconds }).then(
          () => logger.debug({ due: body.due, delaySeconds }, 'wake-up queued'),
          (err: unknown) => logger.warn({ err: { message: (err as Error).message }, due: body.due }, 'wake-up not queued; the cron sweep will find the work'),
        ),
      );
    },
    settle: async () => {
      await Promise.all(sends);
    },
  };
}

/** When the message's work is due, in clock ms; null for a body that is not a wake-up. */
function dueOf(message: WorkerQueueMessage): number | null {
  const due = (message.body as Partial<WakeMessage> | null)?.due;
  const ms = typeof due === 'string' ? Date.parse(due) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Sorts a batch: messages that came early go back to the queue until their time, bodies that
 * are not wake-ups are acknowledged (and logged); the rest are due and returned.
 */
export function dueMessages(messages: readonly WorkerQueueMessage[], clock: Clock, logger: Logger): WorkerQueueMessage[] {
  const now = clock.now();
  const due: WorkerQueueMessage[] = [];
  for (const message of messages) {
    const at = dueOf(message);
    if (at === null) {
      logger.warn({ messageId: message.id }, 'queue message is not a wake-up; acknowledged');
      message.ack();
    } else if (at > now) {
      // Before its time the claim would find nothing due, and the retry would wait for the cron.
      message.retry({ delaySeconds: Math.min(MAX_WAKE_DELAY_S, Math.ceil((at - now) / 1000)) });
    } else {
      due.push(message);
    }
  }
  return due;
}
