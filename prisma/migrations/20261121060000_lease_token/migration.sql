-- AlterTable
ALTER TABLE "Game" ADD COLUMN     "leaseToken" BIGINT NOT NULL DEFAULT 0;
