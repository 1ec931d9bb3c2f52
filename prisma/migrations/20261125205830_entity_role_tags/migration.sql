-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "entity_tag_kind" ADD VALUE 'dc';
ALTER TYPE "entity_tag_kind" ADD VALUE 'adfs';
ALTER TYPE "entity_tag_kind" ADD VALUE 'exchange';
ALTER TYPE "entity_tag_kind" ADD VALUE 'adcs';
