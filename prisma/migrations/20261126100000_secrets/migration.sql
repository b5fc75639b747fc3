-- Secrets: per-environment store choice (Vault settings sealed), the embedded store's
-- sealed, versioned values, and the secret versions each deployment injected.

-- CreateEnum
CREATE TYPE "SecretBackend" AS ENUM ('EMBEDDED', 'VAULT');

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "secretVersions" JSONB;

-- CreateTable
CREATE TABLE "SecretStoreConfig" (
    "environmentId" TEXT NOT NULL,
    "backend" "SecretBackend" NOT NULL DEFAULT 'EMBEDDED',
    "vaultSealed" TEXT,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecretStoreConfig_pkey" PRIMARY KEY ("environmentId")
);

-- CreateTable
CREATE TABLE "SecretValue" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sealedValue" TEXT,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdByLabel" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SecretValue_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecretValue_environmentId_name_version_idx" ON "SecretValue"("environmentId", "name", "version" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "SecretValue_environmentId_name_version_key" ON "SecretValue"("environmentId", "name", "version");

-- AddForeignKey
ALTER TABLE "SecretStoreConfig" ADD CONSTRAINT "SecretStoreConfig_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretValue" ADD CONSTRAINT "SecretValue_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
