-- CreateEnum
CREATE TYPE "DeploymentKind" AS ENUM ('DEPLOY', 'ROLLBACK', 'EMERGENCY_ROLLBACK');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('REQUESTED', 'QUEUED', 'PREFLIGHT', 'BACKUP', 'ROLLING_OUT', 'VERIFYING', 'SUCCEEDED', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED');

-- CreateTable
CREATE TABLE "Stack" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Stack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StackVersion" (
    "id" TEXT NOT NULL,
    "stackId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "composeYaml" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'pasted',
    "note" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StackVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "stackVersionId" TEXT NOT NULL,
    "variables" JSONB NOT NULL,
    "plan" JSONB NOT NULL,
    "planHash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "releaseId" TEXT NOT NULL,
    "kind" "DeploymentKind" NOT NULL DEFAULT 'DEPLOY',
    "status" "DeploymentStatus" NOT NULL DEFAULT 'REQUESTED',
    "reason" TEXT,
    "requestedById" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "cancelRequestedAt" TIMESTAMP(3),
    "diff" JSONB NOT NULL,
    "outcome" TEXT,
    "bakeSeconds" INTEGER NOT NULL DEFAULT 30,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentStep" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "StepStatus" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "detail" JSONB,

    CONSTRAINT "DeploymentStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentLog" (
    "id" BIGSERIAL NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "step" TEXT,
    "message" TEXT NOT NULL,

    CONSTRAINT "DeploymentLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentService" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "oldContainerId" TEXT,
    "newContainerName" TEXT,
    "newContainerId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeploymentService_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Stack_environmentId_key" ON "Stack"("environmentId");

-- CreateIndex
CREATE UNIQUE INDEX "StackVersion_stackId_version_key" ON "StackVersion"("stackId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Release_environmentId_number_key" ON "Release"("environmentId", "number");

-- CreateIndex
CREATE INDEX "Deployment_environmentId_requestedAt_idx" ON "Deployment"("environmentId", "requestedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_environmentId_number_key" ON "Deployment"("environmentId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentStep_deploymentId_name_key" ON "DeploymentStep"("deploymentId", "name");

-- CreateIndex
CREATE INDEX "DeploymentLog_deploymentId_id_idx" ON "DeploymentLog"("deploymentId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentService_deploymentId_service_key" ON "DeploymentService"("deploymentId", "service");

-- AddForeignKey
ALTER TABLE "Stack" ADD CONSTRAINT "Stack_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StackVersion" ADD CONSTRAINT "StackVersion_stackId_fkey" FOREIGN KEY ("stackId") REFERENCES "Stack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_stackVersionId_fkey" FOREIGN KEY ("stackVersionId") REFERENCES "StackVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentStep" ADD CONSTRAINT "DeploymentStep_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentLog" ADD CONSTRAINT "DeploymentLog_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentService" ADD CONSTRAINT "DeploymentService_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one active deployment per environment, enforced by the database: a second
-- request fails on this index and is told which deployment is running.
CREATE UNIQUE INDEX "Deployment_one_active_per_environment"
  ON "Deployment" ("environmentId")
  WHERE status IN ('REQUESTED', 'QUEUED', 'PREFLIGHT', 'BACKUP', 'ROLLING_OUT', 'VERIFYING', 'ROLLING_BACK');
