-- Ticket notifications get a dedupe namespace of their own (src/receive/dedupe.ts): the ones stored
-- before it keep being recognised when Colt re-sends them. Order callbacks keep their keys.
UPDATE "callback_events" SET "dedupe_key" = 'ticket:' || "dedupe_key"
  WHERE "source" = 'ticket' AND "dedupe_key" NOT LIKE 'ticket:%';
