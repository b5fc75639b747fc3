-- A restore requested together with a rollback waits for that rollback deployment to succeed.
ALTER TABLE "Restore" ADD COLUMN "afterDeploymentId" TEXT;

CREATE INDEX "Restore_afterDeploymentId_idx" ON "Restore"("afterDeploymentId");

-- Such a restore is cancelled, never run, when its rollback does not succeed.
ALTER TYPE "RestoreStatus" ADD VALUE 'CANCELLED';
