-- AlterTable
ALTER TABLE "Game" ADD COLUMN     "drawOffer" INTEGER,
ADD COLUMN     "rematchGameId" VARCHAR(16),
ADD COLUMN     "rematchOffer" INTEGER;
