-- CreateEnum
CREATE TYPE "BackupLocation" AS ENUM ('CONTAINER', 'HOST');

-- CreateEnum
CREATE TYPE "BackupEngine" AS ENUM ('PG_DUMP', 'PGBACKREST');

-- CreateEnum
CREATE TYPE "BackupKind" AS ENUM ('FULL', 'INCREMENTAL', 'LOGICAL');

-- CreateEnum
CREATE TYPE "BackupTrigger" AS ENUM ('SCHEDULE', 'MANUAL', 'PRE_DEPLOY');

-- CreateEnum
CREATE TYPE "BackupStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED', 'PRUNED');

-- CreateEnum
CREATE TYPE "RestoreMode" AS ENUM ('IN_PLACE', 'NEW_DATABASE');

-- CreateEnum
CREATE TYPE "RestoreStatus" AS ENUM ('WAITING_APPROVAL', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'REJECTED');

-- CreateTable
CREATE TABLE "BackupConfig" (
    "environmentId" TEXT NOT NULL,
    "location" "BackupLocation" NOT NULL,
    "service" TEXT,
    "host" TEXT,
    "port" INTEGER,
    "database" TEXT NOT NULL,
    "dbUser" TEXT NOT NULL DEFAULT 'postgres',
    "osUser" TEXT,
    "passwordSecret" TEXT,
    "engine" "BackupEngine" NOT NULL DEFAULT 'PG_DUMP',
    "pgbackrestConfig" TEXT,
    "pgbackrestStanza" TEXT,
    "fullCron" TEXT NOT NULL DEFAULT '0 2 * * *',
    "incrementalCron" TEXT NOT NULL DEFAULT '0 * * * *',
    "drillCron" TEXT NOT NULL DEFAULT '30 3 * * *',
    "schedulesEnabled" BOOLEAN NOT NULL DEFAULT true,
    "retentionDays" INTEGER NOT NULL DEFAULT 30,
    "keepFulls" INTEGER NOT NULL DEFAULT 2,
    "rpoTargetMinutes" INTEGER NOT NULL DEFAULT 60,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackupConfig_pkey" PRIMARY KEY ("environmentId")
);

-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "engine" "BackupEngine" NOT NULL,
    "kind" "BackupKind" NOT NULL,
    "trigger" "BackupTrigger" NOT NULL,
    "status" "BackupStatus" NOT NULL DEFAULT 'RUNNING',
    "deploymentId" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "sizeBytes" BIGINT,
    "sha256" TEXT,
    "artifact" TEXT,
    "tableCounts" JSONB,
    "verified" BOOLEAN,
    "verifiedAt" TIMESTAMP(3),
    "verifyDetail" TEXT,
    "error" TEXT,
    "prunedAt" TIMESTAMP(3),

    CONSTRAINT "Backup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Restore" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "backupId" TEXT,
    "targetTime" TIMESTAMP(3),
    "mode" "RestoreMode" NOT NULL,
    "targetDatabase" TEXT NOT NULL,
    "status" "RestoreStatus" NOT NULL DEFAULT 'QUEUED',
    "reason" TEXT NOT NULL DEFAULT '',
    "requestedById" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "decisions" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "Restore_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupDrill" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "backupId" TEXT,
    "ok" BOOLEAN NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "restoreSeconds" DOUBLE PRECISION,
    "dataAgeSeconds" DOUBLE PRECISION,
    "checks" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,

    CONSTRAINT "BackupDrill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupLog" (
    "id" BIGSERIAL NOT NULL,
    "backupId" TEXT,
    "restoreId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL DEFAULT 'info',
    "message" TEXT NOT NULL,

    CONSTRAINT "BackupLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Backup_environmentId_startedAt_idx" ON "Backup"("environmentId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "Backup_deploymentId_idx" ON "Backup"("deploymentId");

-- CreateIndex
CREATE INDEX "Restore_environmentId_requestedAt_idx" ON "Restore"("environmentId", "requestedAt" DESC);

-- CreateIndex
CREATE INDEX "BackupDrill_environmentId_startedAt_idx" ON "BackupDrill"("environmentId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "BackupLog_backupId_id_idx" ON "BackupLog"("backupId", "id");

-- CreateIndex
CREATE INDEX "BackupLog_restoreId_id_idx" ON "BackupLog"("restoreId", "id");

-- AddForeignKey
ALTER TABLE "BackupConfig" ADD CONSTRAINT "BackupConfig_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Restore" ADD CONSTRAINT "Restore_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackupDrill" ADD CONSTRAINT "BackupDrill_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackupLog" ADD CONSTRAINT "BackupLog_backupId_fkey" FOREIGN KEY ("backupId") REFERENCES "Backup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackupLog" ADD CONSTRAINT "BackupLog_restoreId_fkey" FOREIGN KEY ("restoreId") REFERENCES "Restore"("id") ON DELETE CASCADE ON UPDATE CASCADE;
