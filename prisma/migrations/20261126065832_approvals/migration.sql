-- CreateEnum
CREATE TYPE "ApprovalVerdict" AS ENUM ('APPROVE', 'REJECT');

-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'REJECTED';

-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "environmentId" TEXT NOT NULL,
    "requiredApprovals" INTEGER NOT NULL,
    "eligibleRoles" "Role"[],
    "approvalTtlMinutes" INTEGER NOT NULL,
    "requireTotp" BOOLEAN NOT NULL,
    "waitTimerMinutes" INTEGER NOT NULL,
    "freezeWindows" JSONB NOT NULL DEFAULT '[]',
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalPolicy_pkey" PRIMARY KEY ("environmentId")
);

-- CreateTable
CREATE TABLE "DeploymentDecision" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "approverId" TEXT NOT NULL,
    "approverRole" "Role" NOT NULL,
    "verdict" "ApprovalVerdict" NOT NULL,
    "planHash" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "totpVerified" BOOLEAN NOT NULL DEFAULT false,
    "decidedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeploymentDecision_deploymentId_idx" ON "DeploymentDecision"("deploymentId");

-- AddForeignKey
ALTER TABLE "ApprovalPolicy" ADD CONSTRAINT "ApprovalPolicy_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentDecision" ADD CONSTRAINT "DeploymentDecision_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentDecision" ADD CONSTRAINT "DeploymentDecision_approverId_fkey" FOREIGN KEY ("approverId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
