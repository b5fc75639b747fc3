// Turns an environment's BackupConfig into a DbTarget: the command runner where the database
// is (this host, or docker exec in the stack's running database container) and how to connect.
import path from 'node:path'
import type { BackupConfig, Environment } from '@/generated/prisma/client'
import type { Db } from '@/server/db'
import { dockerExecRunner } from '@/server/infra/docker-exec-runner'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import type { CommandRunner, StackRuntime } from '@/server/infra/ports'
import { DomainError } from '@/server/errors'
import { projectName } from '@/server/modules/deployment/release-plan'
import { secretStoreFor } from '@/server/modules/secret/secret-store-for'
import type { DbTarget } from './db-target'

export type RunnerResolver = (input: { environment: Environment; config: BackupConfig }) => Promise<CommandRunner>

export function defaultRunnerResolver(runtime: Pick<StackRuntime, 'listStackContainers'>): RunnerResolver {
  return async ({ environment, config }) => {
    if (config.location === 'HOST') return localCommandRunner
    const endpoint = { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }
    const project = projectName(environment.slug)
    const containers = await runtime.listStackContainers(endpoint, project, { all: false })
    const match = containers.find((c) => c.service === config.service && c.state === 'running')
    if (!match) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `No running container of service "${config.service}" in stack ${project} on ${endpoint.url}: deploy the stack (or start its database), or correct the database service in the backup settings.`,
      )
    }
    return dockerExecRunner(endpoint, { id: match.id, name: match.name })
  }
}

/**
 * A runner that adds `env` to every command it runs (the password reaches pg_dump, pg_restore,
 * psql, createdb, dropdb and pgbackrest this way, in the process environment, never in argv).
 */
export function runnerWithEnv(runner: CommandRunner, env: Record<string, string>): CommandRunner {
  return {
    where: runner.where,
    run: (argv, options = {}) => runner.run(argv, { ...options, env: { ...options.env, ...env } }),
  }
}

/**
 * Reads the environment's database password secret, when one is set, at run time. The value
 * lives only in the returned runner's closure; errors name the secret, never its value.
 */
export async function readBackupPassword(db: Db, config: Pick<BackupConfig, 'environmentId' | 'passwordSecret'>): Promise<string | null> {
  const name = config.passwordSecret?.trim()
  if (!name) return null
  const secret = await (await secretStoreFor(db, config.environmentId)).read(name)
  if (!secret || secret.value === '') {
    throw new DomainError(
      'PRECONDITION_FAILED',
      `The database password secret "${name}" named in the backup settings is ${secret ? 'empty' : 'not set'} in this environment's secret store: set it on the Secrets page (or clear "Password secret" on the Backups page if the database needs no password).`,
    )
  }
  return secret.value
}

/** toDbTarget plus the password secret (as PGPASSWORD in every command's environment). */
export async function resolveDbTarget(db: Db, config: BackupConfig, runner: CommandRunner): Promise<DbTarget> {
  const password = await readBackupPassword(db, config)
  return toDbTarget(config, password === null ? runner : runnerWithEnv(runner, { PGPASSWORD: password }))
}

export function toDbTarget(config: BackupConfig, runner: CommandRunner): DbTarget {
  return {
    runner,
    database: config.database,
    dbUser: config.dbUser,
    host: config.location === 'HOST' ? config.host : null,
    port: config.location === 'HOST' ? config.port : null,
    osUser: config.osUser,
    pgbackrest: config.pgbackrestConfig && config.pgbackrestStanza ? { config: config.pgbackrestConfig, stanza: config.pgbackrestStanza } : null,
  }
}

/** Where a logical dump of this backup lives on the worker host. */
export function dumpPath(backupDir: string, environmentSlug: string, backupId: string): string {
  return path.resolve(backupDir, environmentSlug, `${backupId}.dump`)
}
