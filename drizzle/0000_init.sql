CREATE TABLE "callback_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"order_id" text NOT NULL,
	"status" text NOT NULL,
	"raw_status" text,
	"order_type" text NOT NULL,
	"number_type" text NOT NULL,
	"customer_ref" text,
	"numbers" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"raw_body" text NOT NULL,
	"payload" jsonb NOT NULL,
	"headers" jsonb NOT NULL,
	"remote_addr" text,
	"stale" boolean DEFAULT false NOT NULL,
	"state" text DEFAULT 'received' NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_state" (
	"channel" text PRIMARY KEY NOT NULL,
	"paused_until" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"disabled_at" timestamp with time zone,
	"disabled_reason" text,
	"next_send_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"order_id" text NOT NULL,
	"channel" text NOT NULL,
	"channel_type" text NOT NULL,
	"rules" jsonb NOT NULL,
	"generation" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"last_code" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"outcome" text NOT NULL,
	"code" text,
	"error" text,
	"response" text
);
--> statement-breakpoint
CREATE TABLE "event_work" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"status_rank" integer NOT NULL,
	"order_type" text NOT NULL,
	"number_type" text NOT NULL,
	"numbers" jsonb NOT NULL,
	"customer_ref" text,
	"details" jsonb,
	"details_fetched_at" timestamp with time zone,
	"enrich_error" text,
	"first_seen_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "rejected_callbacks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"status_code" integer NOT NULL,
	"reason" text NOT NULL,
	"message" text NOT NULL,
	"path" text NOT NULL,
	"content_type" text,
	"body_excerpt" text,
	"body_bytes" integer,
	"remote_addr" text
);
--> statement-breakpoint
CREATE TABLE "slack_threads" (
	"order_id" text NOT NULL,
	"slack_channel" text NOT NULL,
	"thread_ts" text NOT NULL,
	"last_status" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "slack_threads_order_id_slack_channel_pk" PRIMARY KEY("order_id","slack_channel")
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_event_id_callback_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."callback_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_work" ADD CONSTRAINT "event_work_event_id_callback_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."callback_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "callback_events_dedupe_key_uq" ON "callback_events" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "callback_events_order_idx" ON "callback_events" USING btree ("order_id","received_at");--> statement-breakpoint
CREATE INDEX "callback_events_received_idx" ON "callback_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_channel_uq" ON "deliveries" USING btree ("event_id","channel","generation");--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE status in ('pending', 'retrying', 'sending');--> statement-breakpoint
CREATE INDEX "deliveries_status_idx" ON "deliveries" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "deliveries_order_idx" ON "deliveries" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_idx" ON "delivery_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE INDEX "event_work_due_idx" ON "event_work" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "rejected_callbacks_received_idx" ON "rejected_callbacks" USING btree ("received_at");