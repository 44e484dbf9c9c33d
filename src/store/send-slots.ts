/**
 * Send slots of paced channels (Slack's pace, a channel's `rateLimit`), shared by the claims
 * of single deliveries and of groups: both take the same channel_state.next_send_at slot, so
 * a channel's limit covers everything it sends, across processes.
 */
import { sql, type SQL } from 'drizzle-orm';

/** What a claim of deliveries or of groups is given: the moment, its size and lease, the channels' pacing. */
export interface PacedClaimOptions {
  now: Date;
  limit: number;
  leaseMs: number;
  /**
   * Minimum gap between two sends on one channel, by channel type (Slack ≈ 1 message/s).
   * Types not listed are not paced.
   */
  sendIntervalMs?: Partial<Record<string, number>>;
  /**
   * Minimum gap between two sends of one channel, by channel name (its `rateLimit`, docs/design.md#rate-limits, with
   * its type's interval folded in); wins over `sendIntervalMs` for that channel.
   */
  channelIntervalMs?: Partial<Record<string, number>>;
}

/** The intervals in force at `now`, as the JSON the claim statements read. */
export interface SendSlotInput {
  /** JSON array of { channel_type, next_send_at }: the paced types and their next slot. */
  paced: string;
  /** JSON array of { channel, next_send_at }: channels with their own rate, and their next slot. */
  pacedChannels: string;
}

export function sendSlotInput(
  now: Date,
  sendIntervalMs: Partial<Record<string, number>> = {},
  channelIntervalMs: Partial<Record<string, number>> = {},
): SendSlotInput {
  const slotAfter = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const positive = (intervals: Partial<Record<string, number>>) =>
    Object.entries(intervals).filter((entry): entry is [string, number] => entry[1] !== undefined && entry[1] > 0);
  return {
    paced: JSON.stringify(positive(sendIntervalMs).map(([type, ms]) => ({ channel_type: type, next_send_at: slotAfter(ms) }))),
    pacedChannels: JSON.stringify(positive(channelIntervalMs).map(([channel, ms]) => ({ channel, next_send_at: slotAfter(ms) }))),
  };
}

/**
 * CTEs that follow a `candidates (id, channel, channel_type, due)` CTE and end in
 * `chosen (id, due)`: every unpaced candidate, and for each paced channel its oldest
 * candidate, only when this claim wins the channel's next send slot. Slots are taken in
 * channel-name order, so two claimers lock channel_state rows in the same order.
 */
export function sendSlotCtes(at: SQL, input: SendSlotInput): SQL {
  return sql`
    paced_types as (
      select * from jsonb_to_recordset(${input.paced}::jsonb) as p(channel_type text, next_send_at timestamptz)
    ),
    paced_channels as (
      select * from jsonb_to_recordset(${input.pacedChannels}::jsonb) as p(channel text, next_send_at timestamptz)
    ),
    slotted as (
      select k.id, k.channel, k.due, coalesce(pc.next_send_at, pt.next_send_at) as next_send_at
      from candidates k
      left join paced_channels pc on pc.channel = k.channel
      left join paced_types pt on pt.channel_type = k.channel_type
    ),
    first_paced as (
      select distinct on (k.channel) k.id, k.channel, k.next_send_at
      from slotted k where k.next_send_at is not null
      order by k.channel, k.due, k.id
    ),
    slots as (
      insert into channel_state as cs (channel, next_send_at, updated_at)
      select channel, next_send_at, ${at} from first_paced order by channel
      on conflict (channel) do update set next_send_at = excluded.next_send_at, updated_at = excluded.updated_at
      where cs.next_send_at is null or cs.next_send_at <= ${at}
      returning cs.channel
    ),
    chosen as (
      select k.id, k.due from slotted k where k.next_send_at is null
      union all
      select f.id, k.due from first_paced f join slots s on s.channel = f.channel join candidates k on k.id = f.id
    )`;
}
