-- Issue 10 (competitive play): accounts, sessions, ratings, chat, mute/block, private games.

-- AlterTable
ALTER TABLE "Player" ADD COLUMN     "passwordHash" VARCHAR(255),
ADD COLUMN     "registeredAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Game" ADD COLUMN     "rated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "ratingPool" VARCHAR(24),
ADD COLUMN     "passwordHash" VARCHAR(255);

-- CreateTable
CREATE TABLE "RefreshToken" (
    "hash" CHAR(64) NOT NULL,
    "familyId" UUID NOT NULL,
    "playerId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "rotatedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "RefreshToken_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "Rating" (
    "playerId" UUID NOT NULL,
    "pool" VARCHAR(24) NOT NULL,
    "rating" DOUBLE PRECISION NOT NULL,
    "rd" DOUBLE PRECISION NOT NULL,
    "volatility" DOUBLE PRECISION NOT NULL,
    "games" INTEGER NOT NULL DEFAULT 0,
    "wins" INTEGER NOT NULL DEFAULT 0,
    "losses" INTEGER NOT NULL DEFAULT 0,
    "draws" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Rating_pkey" PRIMARY KEY ("playerId","pool")
);

-- CreateTable
CREATE TABLE "RatingChange" (
    "gameId" VARCHAR(16) NOT NULL,
    "playerId" UUID NOT NULL,
    "pool" VARCHAR(24) NOT NULL,
    "before" DOUBLE PRECISION NOT NULL,
    "after" DOUBLE PRECISION NOT NULL,
    "rdBefore" DOUBLE PRECISION NOT NULL,
    "rdAfter" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RatingChange_pkey" PRIMARY KEY ("gameId","playerId")
);

-- CreateTable
CREATE TABLE "ChatMessage" (
    "id" BIGSERIAL NOT NULL,
    "channel" VARCHAR(40) NOT NULL,
    "playerId" UUID NOT NULL,
    "name" VARCHAR(24) NOT NULL,
    "text" VARCHAR(500) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlayerRelation" (
    "ownerId" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlayerRelation_pkey" PRIMARY KEY ("ownerId","targetId","kind")
);

-- CreateIndex
CREATE INDEX "RefreshToken_familyId_idx" ON "RefreshToken"("familyId");

-- CreateIndex
CREATE INDEX "RefreshToken_playerId_idx" ON "RefreshToken"("playerId");

-- CreateIndex
CREATE INDEX "Rating_pool_rating_idx" ON "Rating"("pool", "rating" DESC);

-- CreateIndex
CREATE INDEX "RatingChange_playerId_pool_at_idx" ON "RatingChange"("playerId", "pool", "at");

-- CreateIndex
CREATE INDEX "ChatMessage_channel_id_idx" ON "ChatMessage"("channel", "id");

-- CreateIndex
CREATE INDEX "ChatMessage_playerId_at_idx" ON "ChatMessage"("playerId", "at");

-- CreateIndex
CREATE INDEX "PlayerRelation_targetId_idx" ON "PlayerRelation"("targetId");
