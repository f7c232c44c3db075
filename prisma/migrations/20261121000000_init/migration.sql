-- CreateTable
CREATE TABLE "Player" (
    "id" UUID NOT NULL,
    "name" VARCHAR(24) NOT NULL,
    "nameKey" VARCHAR(24) NOT NULL,
    "isBot" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Player_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Game" (
    "id" VARCHAR(16) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "timeControl" VARCHAR(16) NOT NULL,
    "initialMs" INTEGER NOT NULL,
    "incrementMs" INTEGER NOT NULL,
    "seed" VARCHAR(64) NOT NULL,
    "mode" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "seat0Id" UUID NOT NULL,
    "seat1Id" UUID NOT NULL,
    "ply" INTEGER NOT NULL DEFAULT 0,
    "clock0Ms" INTEGER NOT NULL,
    "clock1Ms" INTEGER NOT NULL,
    "turnStartedAt" TIMESTAMPTZ(3),
    "deadlineAt" TIMESTAMPTZ(3),
    "winner" INTEGER,
    "resultReason" VARCHAR(40),
    "ownerNode" VARCHAR(64),
    "rematchOfId" VARCHAR(16),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Game_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Move" (
    "gameId" VARCHAR(16) NOT NULL,
    "ply" INTEGER NOT NULL,
    "seat" INTEGER NOT NULL,
    "move" VARCHAR(16) NOT NULL,
    "san" VARCHAR(16) NOT NULL,
    "clockMs" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Move_pkey" PRIMARY KEY ("gameId","ply")
);

-- CreateIndex
CREATE UNIQUE INDEX "Player_nameKey_key" ON "Player"("nameKey");

-- CreateIndex
CREATE INDEX "Game_status_idx" ON "Game"("status");

-- CreateIndex
CREATE INDEX "Game_seat0Id_createdAt_idx" ON "Game"("seat0Id", "createdAt");

-- CreateIndex
CREATE INDEX "Game_seat1Id_createdAt_idx" ON "Game"("seat1Id", "createdAt");

-- AddForeignKey
ALTER TABLE "Game" ADD CONSTRAINT "Game_seat0Id_fkey" FOREIGN KEY ("seat0Id") REFERENCES "Player"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Game" ADD CONSTRAINT "Game_seat1Id_fkey" FOREIGN KEY ("seat1Id") REFERENCES "Player"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Move" ADD CONSTRAINT "Move_gameId_fkey" FOREIGN KEY ("gameId") REFERENCES "Game"("id") ON DELETE CASCADE ON UPDATE CASCADE;
