ALTER TABLE "orders" ADD COLUMN "ticket_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ticket_status" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ticket_updated_at" timestamp with time zone;