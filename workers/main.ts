// The worker process: checks Postgres, Redis and the default Docker engine, runs the BullMQ
// processors and /healthz, and on SIGTERM/SIGINT finishes running jobs before exiting.
import '@/server/load-dotenv'
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { db, disconnectDb } from '@/server/db'
import { env, type Env } from '@/server/env'
import { dockerRuntime } from '@/server/infra/docker'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import type { EngineDeps } from '@/server/modules/deployment/engine-context'
import { requeueActiveDeployments } from '@/server/modules/deployment/requeue-active-deployments'
import { RuntimeUnreachableError, systemClock } from '@/server/infra/ports'
import { bullJobQueue, bullPrefix, closeQueues, DEFAULT_JOB_OPTIONS, QUEUE_NAMES } from '@/server/infra/queues'
import { createBullConnection } from '@/server/infra/redis'
import { createLogger, errorFields, logger } from '@/server/logger'
import { requeueStrandedChecks } from '@/server/modules/environment/run-environment-check'
import { requestEnvironmentCheck } from '@/server/modules/environment/environment.service'
import { AUDIT_VERIFY_QUEUE, scheduleDailyAuditVerify } from '@/server/modules/audit/audit-verify-schedule'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { controlMetrics } from '@/server/modules/observability/metrics'
import { metricsAccess } from '@/server/modules/observability/metrics-access'
import { prometheusGateCheck } from '@/server/modules/observability/gates'
import { grafanaDeploymentAnnotator } from '@/server/modules/observability/grafana-annotations'
import { secretStoreGrafanaCredentials } from '@/server/modules/observability/grafana-credentials'
import { startTracing, type TracingHandle } from '@/server/modules/observability/tracing'
import { startHealthServer, type HealthServer } from './health-server'
import { createAuditVerifyProcessor } from './processors/audit-verify.processor'
import { createBackupProcessor } from './processors/backup.processor'
import { BACKUP_JOB_OPTIONS, bullBackupQueue } from '@/server/infra/backup-queue'
import { BACKUP_QUEUE, syncAllBackupSchedules } from '@/server/modules/backup/backup-jobs'
import { defaultRunnerResolver } from '@/server/modules/backup/backup-target'
import { preDeployBackup } from '@/server/modules/backup/pre-deploy-backup'
import { requeueStrandedRestores } from '@/server/modules/backup/requeue-restores'
import { redisScratchLeases } from '@/server/modules/backup/scratch-leases'
import { sweepAllScratchLeftovers } from '@/server/modules/backup/sweep-scratch'
import { createWebhookDeliveryProcessor } from './processors/webhook-delivery.processor'
import { WEBHOOK_QUEUE, webhookEnqueuer } from '@/server/infra/webhook-queue'
import { startDeliveryOutbox } from '@/server/modules/notification/deliver-webhook'
import { createDeploymentGateProcessor } from './processors/deployment-gate.processor'
import { createDeploymentProcessor } from './processors/deployment.processor'
import { createEnvironmentCheckProcessor } from './processors/environment-check.processor'

const STARTUP_PROBE_MS = 10_000
const HEALTH_REDIS_PING_MS = 2_000

/** A startup problem the operator fixes outside the code: printed as one line, no stack. */
class StartupError extends Error {}

function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return '(not a URL)'
  }
}

/** One line of cause: Prisma wraps the driver's words in a multi-line "Invalid invocation" text. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error)
  const driverMessage = /Message: `(.+)`/.exec(text)?.[1]
  if (driverMessage) return driverMessage
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  const last = lines[lines.length - 1] ?? 'unknown error'
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && !last.includes(code) ? `${last} (${code})` : last
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function checkPostgres(config: Env) {
  try {
    await within(STARTUP_PROBE_MS, 'PostgreSQL', db().$queryRaw`SELECT 1`)
  } catch (error) {
    const reason = reasonOf(error)
    const missingDb = /database .* does not exist/.test(reason) ? 'If the database is new, create it and run `npm run db:migrate`. ' : ''
    throw new StartupError(
      `Cannot connect to PostgreSQL at DATABASE_URL=${redactUrl(config.DATABASE_URL)}: ${reason}. ${missingDb}` +
        'Start PostgreSQL (docker compose: `docker compose up -d postgres`; on a dev machine: ' +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), or correct DATABASE_URL in .env.',
    )
  }
}

/** Resolves once the connection is ready; rejects on its first error (ioredis would retry forever). */
function waitForRedis(connection: Redis, ms: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer)
      connection.off('ready', onReady)
      connection.off('error', onError)
      if (error) reject(error)
      else resolve()
    }
    const onReady = () => done()
    const onError = (error: Error) => done(error)
    const timer = setTimeout(() => done(new Error(`no answer within ${ms / 1000} s`)), ms)
    connection.on('ready', onReady)
    connection.on('error', onError)
  })
}

async function checkRedis(config: Env, connection: Redis) {
  try {
    await waitForRedis(connection, STARTUP_PROBE_MS)
  } catch (error) {
    throw new StartupError(
      `Cannot connect to Redis at REDIS_URL=${redactUrl(config.REDIS_URL)}: ${reasonOf(error)}. ` +
        'Start Redis (docker compose: `docker compose up -d redis`; on a dev machine: ' +
        '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`), or correct REDIS_URL in .env.',
    )
  }
}

/** Only a warning: the worker still serves every other environment's engine. */
async function reportDefaultDockerEngine(config: Env, log: typeof logger) {
  try {
    const facts = await dockerRuntime.hostFacts({ url: config.DOCKER_DEFAULT_ENDPOINT })
    log.info('Docker engine reachable', { endpoint: config.DOCKER_DEFAULT_ENDPOINT, dockerVersion: facts.dockerVersion, apiVersion: facts.apiVersion })
  } catch (error) {
    const detail = error instanceof RuntimeUnreachableError ? { reason: error.message } : { err: errorFields(error) }
    log.warn(
      `The Docker engine at DOCKER_DEFAULT_ENDPOINT=${config.DOCKER_DEFAULT_ENDPOINT} does not answer; the worker keeps running, and checks against it will record the reason.`,
      detail,
    )
  }
}

async function redisAnswers(connection: Redis): Promise<boolean> {
  if (connection.status !== 'ready') return false
  try {
    return (await within(HEALTH_REDIS_PING_MS, 'Redis', connection.ping())) === 'PONG'
  } catch {
    // The 503 answer is the report; the worker's own 'error' listener logs connection loss.
    return false
  }
}

async function main() {
  let config: Env
  try {
    config = env()
  } catch (error) {
    // The logger itself reads LOG_LEVEL from this configuration: log at a fixed level.
    createLogger({ level: () => 'info' }).error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
  const log = logger.child({ component: 'worker' })

  let connection: Redis | undefined
  const workers: Worker[] = []
  let auditVerifyQueue: Queue | undefined
  let backupQueue: Queue | undefined
  let webhookQueue: Queue | undefined
  let stopWebhookOutbox: (() => Promise<void>) | undefined
  let health: HealthServer | undefined
  let tracing: TracingHandle | undefined
  let stopping = false

  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`Second ${signal} while stopping: exiting at once`)
      process.exit(1)
    }
    stopping = true
    log.info(`${signal} received: finishing running jobs, then stopping`)
    await health?.close()
    await stopWebhookOutbox?.()
    await Promise.all(workers.map((w) => w.close()))
    await auditVerifyQueue?.close()
    await backupQueue?.close()
    await webhookQueue?.close()
    await closeQueues()
    // BullMQ does not close a connection it was given.
    await connection?.quit()
    await disconnectDb()
    await tracing?.shutdown()
    log.info('Worker stopped cleanly')
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      shutdown(signal).catch((error: unknown) => {
        log.error('Shutdown failed', { err: errorFields(error) })
        process.exit(1)
      })
    })
  }

  try {
    await checkPostgres(config)
    // Tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT): the SDK is never loaded.
    tracing = await startTracing({ serviceName: 'traider-control-worker', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
    const metrics = controlMetrics('worker')
    connection = createBullConnection('worker')
    // BullMQ reports connection trouble on the worker's 'error' event; this listener only
    // keeps ioredis from printing its own "unhandled error" lines before the worker exists.
    connection.on('error', (error) => log.debug('Redis connection error', { err: errorFields(error, { stack: false }) }))
    await checkRedis(config, connection)
    await reportDefaultDockerEngine(config, log)

    const checkDeps = { db: db(), runtime: dockerRuntime, clock: systemClock }
    const engineDeps: EngineDeps = {
      db: db(),
      runtime: dockerStackRuntime,
      settings: {
        minFreeDiskBytes: config.DEPLOY_MIN_FREE_DISK_GB * 1024 ** 3,
        stopTimeoutSeconds: config.DEPLOY_STOP_TIMEOUT_SECONDS,
        bakePollMs: 1_000,
      },
      gates: prometheusGateCheck(db()),
    }
    // Backups: commands run where each database is (this host, or docker exec in its container).
    // Scratch copies (drills, restores into a new database) are leased in Redis while in use.
    const scratchLeases = redisScratchLeases(connection, bullPrefix())
    const backupDeps = {
      db: db(),
      resolveRunner: defaultRunnerResolver(dockerStackRuntime),
      backupDir: config.BACKUP_DIR,
      log: log.child({ queue: BACKUP_QUEUE }),
      runtime: dockerStackRuntime,
      leases: scratchLeases,
    }
    engineDeps.backup = preDeployBackup(backupDeps)
    const definitions = [
      { queue: QUEUE_NAMES.environmentCheck, processor: createEnvironmentCheckProcessor(checkDeps, log.child({ queue: QUEUE_NAMES.environmentCheck })) },
      {
        queue: QUEUE_NAMES.deployment,
        processor: createDeploymentProcessor(engineDeps, log.child({ queue: QUEUE_NAMES.deployment }), async (deploymentId) => {
          const deployment = await db().deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { environmentId: true } })
          await requestEnvironmentCheck({ db: db(), queue: bullJobQueue }, SYSTEM_ACTOR, deployment.environmentId)
        }, grafanaDeploymentAnnotator({ db: db(), credentials: secretStoreGrafanaCredentials(db()) })),
      },
      {
        queue: QUEUE_NAMES.deploymentGate,
        processor: createDeploymentGateProcessor({ db: db(), queue: bullJobQueue }, log.child({ queue: QUEUE_NAMES.deploymentGate })),
      },
      { queue: AUDIT_VERIFY_QUEUE, processor: createAuditVerifyProcessor({ db: db() }, log.child({ queue: AUDIT_VERIFY_QUEUE })) },
      { queue: BACKUP_QUEUE, processor: createBackupProcessor(backupDeps, backupDeps.log) },
      { queue: WEBHOOK_QUEUE, processor: createWebhookDeliveryProcessor({ db: db(), baseUrl: config.NEXTAUTH_URL }, log.child({ queue: WEBHOOK_QUEUE })) },
    ]
    for (const { queue, processor } of definitions) {
      const w = new Worker(queue, processor, {
        connection,
        prefix: bullPrefix(),
        concurrency: config.WORKER_CONCURRENCY,
        // A killed worker's job is picked up again once its lock expires (stalled-job recovery);
        // the engine then resumes from Postgres. Up to 3 stalls before BullMQ gives up.
        lockDuration: config.WORKER_LOCK_SECONDS * 1000,
        stalledInterval: config.WORKER_LOCK_SECONDS * 1000,
        maxStalledCount: 3,
      })
      w.on('error', (error) => log.error('BullMQ worker error', { queue, err: errorFields(error) }))
      w.on('completed', () => metrics.jobs.inc({ queue, result: 'completed' }))
      w.on('failed', (job, error) => {
        metrics.jobs.inc({ queue, result: 'failed' })
        const attempts = job?.opts.attempts ?? DEFAULT_JOB_OPTIONS.attempts
        log.error('Job failed', {
          queue,
          jobId: job?.id,
          attemptsMade: job?.attemptsMade,
          willRetry: job ? job.attemptsMade < attempts && error.name !== 'UnrecoverableError' : false,
          err: errorFields(error),
        })
      })
      workers.push(w)
    }
    await Promise.all(workers.map((w) => w.waitUntilReady()))
    // Daily audit-chain verification; upsertJobScheduler keeps restarts from duplicating it.
    auditVerifyQueue = new Queue(AUDIT_VERIFY_QUEUE, { connection, prefix: bullPrefix() })
    await scheduleDailyAuditVerify(auditVerifyQueue)
    // Backup schedulers per environment and kind, upserted by stable id: restarts never duplicate them.
    backupQueue = new Queue(BACKUP_QUEUE, { connection, prefix: bullPrefix() })
    const backupSchedules = await syncAllBackupSchedules(backupQueue, await db().backupConfig.findMany(), BACKUP_JOB_OPTIONS)
    log.info('Backup schedules in place', backupSchedules)
    // Webhook outbox: deliveries notify() wrote (in the event's transaction) become jobs, id = delivery id.
    webhookQueue = new Queue(WEBHOOK_QUEUE, { connection, prefix: bullPrefix() })
    stopWebhookOutbox = startDeliveryOutbox(
      { db: db(), enqueue: webhookEnqueuer(webhookQueue) },
      { intervalMs: 1_000, onError: (error) => log.warn('Could not queue webhook deliveries; retrying in a second', { err: errorFields(error) }) },
    )

    try {
      const requeued = await requeueStrandedChecks({ db: db() }, bullJobQueue)
      if (requeued > 0) log.info('Re-queued environment checks left QUEUED', { count: requeued })
      const resumed = await requeueActiveDeployments({ db: db() }, bullJobQueue)
      if (resumed > 0) log.info('Re-queued deployments left active by a previous worker', { count: resumed })
      const liveBackupQueue = backupQueue
      const restores = await requeueStrandedRestores({ db: db(), queue: bullBackupQueue(() => liveBackupQueue) })
      if (restores > 0) log.info('Re-queued restores left queued or running by a previous worker', { count: restores })
    } catch (error) {
      throw new StartupError(
        `Could not re-queue waiting environment checks, deployments or restores: ${reasonOf(error)}. If the tables are missing, run \`npm run db:migrate\`.`,
      )
    }

    // What a drill or restore of a dead worker left on its engine; in the background (engines may be slow to answer).
    void sweepAllScratchLeftovers({ db: db(), leases: scratchLeases, log }).catch((error: unknown) =>
      log.warn('Could not look for scratch copies left by an interrupted drill or restore', { err: errorFields(error) }),
    )

    const liveConnection = connection
    try {
      health = await startHealthServer({
        port: config.WORKER_HEALTH_PORT,
        log,
        metrics: {
          authorize: metricsAccess({ token: config.METRICS_TOKEN, allowedCidrs: config.METRICS_ALLOWED_CIDRS }),
          expose: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
        },
        probe: async () => {
          const running = workers.every((w) => w.isRunning()) && !stopping
          const redis = await redisAnswers(liveConnection)
          return running && redis
            ? { healthy: true, body: { status: 'ok', worker: 'running' } }
            : { healthy: false, body: { status: 'unavailable', worker: running ? 'running' : 'stopped', redis: redis ? 'ok' : 'unreachable' } }
        },
      })
    } catch (error) {
      throw new StartupError(
        `The health endpoint cannot listen on WORKER_HEALTH_PORT=${config.WORKER_HEALTH_PORT}: ${reasonOf(error)}. Free that port or choose another.`,
      )
    }
    log.info('Worker started', {
      queues: definitions.map((d) => d.queue),
      concurrency: config.WORKER_CONCURRENCY,
      healthPort: health.port,
      prefix: bullPrefix(),
    })
  } catch (error) {
    if (error instanceof StartupError) log.error(error.message)
    else log.error('Worker failed to start', { err: errorFields(error) })
    process.exit(1)
  }
}

await main()
