ALTER TABLE "callback_events" ADD COLUMN "source" text DEFAULT 'callback' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ticket_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ticket_status" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ticket_updated_at" timestamp with time zone;