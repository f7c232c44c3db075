-- Issue 11 (Battleship): a fleet placement is one move of five ships such as
-- "a1h,c3v,e5h,g7v,j10h" — up to 21 characters, more than VARCHAR(16) holds.
-- Widening a varchar rewrites nothing; on the partitioned "Move" it reaches
-- every partition (Move_legacy and the months).
-- AlterTable
ALTER TABLE "Move" ALTER COLUMN "move" SET DATA TYPE VARCHAR(24);
