CREATE TABLE "delivery_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"channel_type" text NOT NULL,
	"rule" text NOT NULL,
	"group_key" text NOT NULL,
	"by_values" jsonb NOT NULL,
	"status" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"last_code" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" uuid PRIMARY KEY NOT NULL,
	"match" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"comment" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "channel_state" ADD COLUMN "last_success_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel_state" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel_state" ADD COLUMN "disabled_by" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "group_id" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "silence_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_groups_open_uq" ON "delivery_groups" USING btree ("channel","rule","group_key") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "delivery_groups_due_idx" ON "delivery_groups" USING btree ("due_at") WHERE status in ('open', 'retrying', 'sending');--> statement-breakpoint
CREATE INDEX "delivery_groups_key_sent_idx" ON "delivery_groups" USING btree ("channel","rule","group_key","sent_at");--> statement-breakpoint
CREATE INDEX "silences_ends_idx" ON "silences" USING btree ("ends_at");--> statement-breakpoint
CREATE INDEX "deliveries_group_idx" ON "deliveries" USING btree ("group_id") WHERE group_id is not null;