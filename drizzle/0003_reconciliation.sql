ALTER TABLE "callback_events" ADD COLUMN "source" text DEFAULT 'callback' NOT NULL;--> statement-breakpoint
ALTER TABLE "callback_events" ADD COLUMN "type" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "status_source" text DEFAULT 'callback' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "reconcile_base_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "reconcile_checks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "last_reconciled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "last_reconcile_result" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "overdue_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "orders_reconcile_due_idx" ON "orders" USING btree ("reconcile_base_at") WHERE status_rank < 2;--> statement-breakpoint
CREATE INDEX "orders_sla_due_idx" ON "orders" USING btree ("order_type","first_seen_at") WHERE status_rank < 2 and overdue_at is null;