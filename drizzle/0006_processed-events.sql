CREATE TABLE "processed_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "processed_events" ADD CONSTRAINT "processed_events_event_id_callback_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."callback_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Events processed before this migration keep their state and time.
INSERT INTO "processed_events" ("event_id", "processed_at")
  SELECT "id", coalesce("processed_at", "received_at") FROM "callback_events" WHERE "state" = 'processed';--> statement-breakpoint
ALTER TABLE "callback_events" DROP COLUMN "state";--> statement-breakpoint
ALTER TABLE "callback_events" DROP COLUMN "processed_at";