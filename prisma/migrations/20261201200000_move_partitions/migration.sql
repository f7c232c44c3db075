-- Partition the move log by range on "gameId" over the tablespaces moves_a,
-- moves_b and moves_c (which game-server/src/db/migrate.ts makes, or checks,
-- before any migration runs), and put the audit log's partitions on them too.
-- Why this key and these bounds: docs/database.md. In short:
--   * game ids are time-ordered: "1" + 6 base-33 digits of seconds since
--     2026-01-01 + 6 random digits (game-server/src/game/gameId.ts), compared
--     in byte order (COLLATE "C"), so a month's games form one id range and
--     live play writes to this month's partition;
--   * (gameId, ply) stays the primary key of the whole log (it contains the
--     partition key), and a replay (WHERE "gameId" = $1) reads one partition;
--   * games made before this migration have random ids that all sort at or
--     after '2': they stay where they are, as the partition "Move_legacy".
-- The month partitions and tablespaces follow the same rules as
-- game-server/src/db/partitions/layout.ts, which the maintenance job uses to
-- make later months (the integration test checks that the two agree).

-- The existing table becomes the legacy partition (renamed with its key and
-- foreign key, which ATTACH then adopts as the parent's), compared in byte order.
ALTER TABLE "Move" RENAME TO "Move_legacy";
ALTER TABLE "Move_legacy" RENAME CONSTRAINT "Move_pkey" TO "Move_legacy_pkey";
ALTER TABLE "Move_legacy" RENAME CONSTRAINT "Move_gameId_fkey" TO "Move_legacy_gameId_fkey";
ALTER TABLE "Move_legacy" ALTER COLUMN "gameId" TYPE VARCHAR(16) COLLATE "C";

-- CreateTable
CREATE TABLE "Move" (
    "gameId" VARCHAR(16) COLLATE "C" NOT NULL,
    "ply" INTEGER NOT NULL,
    "seat" INTEGER NOT NULL,
    "move" VARCHAR(16) NOT NULL,
    "san" VARCHAR(16) NOT NULL,
    "clockMs" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Move_pkey" PRIMARY KEY ("gameId","ply")
) PARTITION BY RANGE ("gameId");

-- AddForeignKey
ALTER TABLE "Move" ADD CONSTRAINT "Move_gameId_fkey" FOREIGN KEY ("gameId") REFERENCES "Game"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every id of the old alphabet ("abcdefghijkmnopqrstuvwxyz23456789") is >= '2'.
ALTER TABLE "Move" ATTACH PARTITION "Move_legacy" FOR VALUES FROM ('2') TO (MAXVALUE);

-- CreatePartitions: this month and the next three (UTC), for Move, on the
-- tablespace of the month's turn (month number mod 3; AuditEvent one further),
-- indexes included (default_tablespace), and AuditEvent's existing months moved
-- onto theirs.
DO $$
DECLARE
    alphabet CONSTANT text := '23456789abcdefghijkmnopqrstuvwxyz';
    spaces CONSTANT text[] := ARRAY['moves_a', 'moves_b', 'moves_c'];
    epoch CONSTANT timestamptz := '2026-01-01 00:00:00+00';
    first date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    m date;
    edge date;
    bounds text[];
    s bigint;
    digits text;
    space text;
    r record;
    idx record;
BEGIN
    FOR i IN 0..3 LOOP
        m := (first + make_interval(months => i))::date;
        bounds := ARRAY[]::text[];
        FOREACH edge IN ARRAY ARRAY[m, (m + interval '1 month')::date] LOOP
            s := floor(extract(epoch FROM (edge::timestamp AT TIME ZONE 'UTC') - epoch))::bigint;
            IF s < 0 OR s >= 33 ^ 6 THEN
                RAISE EXCEPTION 'game ids cannot encode %', edge;
            END IF;
            digits := '';
            FOR k IN 1..6 LOOP
                digits := substr(alphabet, (s % 33)::int + 1, 1) || digits;
                s := s / 33;
            END LOOP;
            bounds := bounds || ('1' || digits);
        END LOOP;
        space := spaces[((extract(year FROM m)::int * 12 + extract(month FROM m)::int - 1) % 3) + 1];
        PERFORM set_config('default_tablespace', space, true);
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF "Move" FOR VALUES FROM (%L) TO (%L) TABLESPACE %I',
            'Move_p' || to_char(m, 'YYYYMM'), bounds[1], bounds[2], space);
    END LOOP;

    FOR r IN
        SELECT c.relname AS name, to_date(substr(c.relname, length('AuditEvent_p') + 1), 'YYYYMM') AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = '"AuditEvent"'::regclass AND c.relname ~ '^AuditEvent_p[0-9]{6}$'
    LOOP
        space := spaces[((extract(year FROM r.month)::int * 12 + extract(month FROM r.month)::int) % 3) + 1];
        EXECUTE format('ALTER TABLE %I SET TABLESPACE %I', r.name, space);
        FOR idx IN SELECT x.indexrelid::regclass::text AS name FROM pg_index x WHERE x.indrelid = format('%I', r.name)::regclass LOOP
            EXECUTE format('ALTER INDEX %s SET TABLESPACE %I', idx.name, space);
        END LOOP;
    END LOOP;
    PERFORM set_config('default_tablespace', '', true);
END $$;
