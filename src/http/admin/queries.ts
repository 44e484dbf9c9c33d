/**
 * Query strings and path parameters of the admin API. Anything that does not parse is
 * answered 400 `bad_request` with `issues`, before a handler runs.
 */
import { z } from '@hono/zod-openapi';
import { EVENT_STATUSES } from '../../event/event.js';
import { MAX_PAGE_LIMIT } from '../../store/admin.repo.js';
import { DELIVERY_STATUSES } from '../../store/deliveries.repo.js';

const text = (description: string) => z.string().min(1).max(200).optional().openapi({ description });

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_LIMIT)
  .optional()
  .openapi({ description: `Items per page (1–${MAX_PAGE_LIMIT}). Default 50.`, type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT });

const cursor = z
  .string()
  .max(512)
  .optional()
  .openapi({ description: 'The `nextCursor` of the previous page.' });

const time = (description: string) =>
  z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO 8601 date or time' })
    .transform((s) => new Date(s))
    .optional()
    .openapi({ description, type: 'string', format: 'date-time' });

const flag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional()
  .openapi({ description: 'true: only stale (late or out-of-order) events; false: only fresh ones.', type: 'string', enum: ['true', 'false'] });

export const EventsQuerySchema = z.object({
  orderId: text('Only this order’s events.'),
  status: z.enum(EVENT_STATUSES).optional().openapi({ description: 'Normalised status.' }),
  stale: flag,
  from: time('Received at or after.'),
  to: time('Received before.'),
  limit,
  cursor,
});

export const OrdersQuerySchema = z.object({
  q: text('Order id prefix, or customer reference prefix (case-insensitive).'),
  status: z.enum(EVENT_STATUSES).optional().openapi({ description: 'Current order status.' }),
  limit,
  cursor,
});

export const DeliveriesQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channel: text('Channel name in the rules file.'),
  orderId: text('Only this order’s deliveries.'),
  eventId: text('Only this event’s deliveries.'),
  limit,
  cursor,
});

export const RejectedQuerySchema = z.object({
  reason: text('Error code the receiver answered with (unauthorized, invalid_payload, …).'),
  limit,
  cursor,
});

export const IdParamSchema = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, description: 'UUID.' }),
});

export const OrderIdParamSchema = z.object({
  orderId: z.string().min(1).max(200).openapi({ param: { name: 'orderId', in: 'path' } }),
});

export const ChannelNameParamSchema = z.object({
  name: z.string().min(1).max(200).openapi({ param: { name: 'name', in: 'path' }, description: 'Channel name in the rules file.' }),
});

export const OpenOrdersQuerySchema = z.object({ limit, cursor });
