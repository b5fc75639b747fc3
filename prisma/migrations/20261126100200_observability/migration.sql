-- Observability: per-environment Prometheus/Grafana/Jaeger settings and deployment gates;
-- the trace id of a deployment's engine run.
ALTER TABLE "Deployment" ADD COLUMN "traceId" TEXT;

CREATE TABLE "EnvironmentObservability" (
    "environmentId" TEXT NOT NULL,
    "prometheusUrl" TEXT,
    "grafanaUrl" TEXT,
    "grafanaTokenSecret" TEXT NOT NULL DEFAULT 'grafana-service-account-token',
    "jaegerUrl" TEXT,
    "gates" JSONB NOT NULL DEFAULT '[]',
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EnvironmentObservability_pkey" PRIMARY KEY ("environmentId")
);

ALTER TABLE "EnvironmentObservability" ADD CONSTRAINT "EnvironmentObservability_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
