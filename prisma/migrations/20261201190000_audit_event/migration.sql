-- CreateTable
-- The audit log: security- and operations-relevant events, kept apart from the
-- ordinary logs. Partitioned by month on "at" so retention drops whole months
-- (game-server/src/db/partitions/); no foreign keys, because an audit row
-- outlives the players and games it names. See docs/database.md.
CREATE TABLE "AuditEvent" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" VARCHAR(40) NOT NULL,
    "nodeId" VARCHAR(64),
    "playerId" UUID,
    "gameId" VARCHAR(16),
    "ip" VARCHAR(64),
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("at","id")
) PARTITION BY RANGE ("at");

-- CreateIndex
CREATE INDEX "AuditEvent_kind_at_idx" ON "AuditEvent"("kind", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_playerId_at_idx" ON "AuditEvent"("playerId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_gameId_at_idx" ON "AuditEvent"("gameId", "at");

-- CreatePartitions
-- This month's and the next three months' partitions (UTC months), so the
-- table takes rows as soon as it exists; the partition maintenance job keeps
-- creating months ahead from then on.
DO $$
DECLARE
    first date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    m date;
BEGIN
    FOR i IN 0..3 LOOP
        m := (first + make_interval(months => i))::date;
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF "AuditEvent" FOR VALUES FROM (%L) TO (%L)',
            'AuditEvent_p' || to_char(m, 'YYYYMM'),
            to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
            to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
    END LOOP;
END $$;
