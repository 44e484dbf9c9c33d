CREATE TABLE "callback_refusals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"remote_addr" text,
	"reason" text NOT NULL,
	"count" bigint NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"status_code" integer NOT NULL,
	"message" text NOT NULL,
	"path" text NOT NULL,
	"content_type" text,
	"body_excerpt" text,
	"body_bytes" integer,
	CONSTRAINT "callback_refusals_addr_reason_uq" UNIQUE NULLS NOT DISTINCT("remote_addr","reason")
);
--> statement-breakpoint
DROP TABLE "rejected_callbacks" CASCADE;--> statement-breakpoint
CREATE INDEX "callback_refusals_last_seen_idx" ON "callback_refusals" USING btree ("last_seen_at","id");