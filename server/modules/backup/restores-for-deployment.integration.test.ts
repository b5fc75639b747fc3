// backup.restoresForDeployment against the real database: the restores a rollback carries,
// newest first, each with the backup it restores (or null once that row is gone), nothing for
// a deployment that carries none; a viewer may read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { callerFor, environmentInput, makeUser, unique } from '@/test/factories'

let environmentId = ''
let viewer: Awaited<ReturnType<typeof makeUser>>

beforeAll(async () => {
  viewer = await makeUser('VIEWER')
  environmentId = (await db().environment.create({ data: environmentInput() })).id
})
afterAll(async () => {
  // Backups and restores go with their environment (cascade).
  await db().environment.deleteMany({ where: { id: environmentId } })
  await db().user.deleteMany({ where: { id: viewer.id } })
  await disconnectDb()
})

describe('backup.restoresForDeployment', () => {
  it('lists the restores requested with a deployment, newest first, with the backup each restores', async () => {
    const rollbackId = unique('rollback') // afterDeploymentId is no foreign key: any id links
    const backup = await db().backup.create({
      data: { environmentId, engine: 'PG_DUMP', kind: 'LOGICAL', trigger: 'PRE_DEPLOY', status: 'SUCCEEDED', verified: true, sizeBytes: 2845n, startedAt: new Date('2026-01-02T03:04:05Z') },
    })
    const older = await db().restore.create({
      data: { environmentId, backupId: backup.id, mode: 'IN_PLACE', targetDatabase: 'app', status: 'CANCELLED', outcome: 'Not run: rollback #3 ended failed.', afterDeploymentId: rollbackId, requestedAt: new Date('2026-01-02T04:00:00Z') },
    })
    const newer = await db().restore.create({
      data: { environmentId, backupId: 'pruned-long-ago', mode: 'IN_PLACE', targetDatabase: 'app', status: 'QUEUED', afterDeploymentId: rollbackId, requestedAt: new Date('2026-01-02T05:00:00Z') },
    })
    await db().restore.create({ data: { environmentId, backupId: backup.id, mode: 'NEW_DATABASE', targetDatabase: 'app_copy', afterDeploymentId: null } })

    const listed = await callerFor(viewer).backup.restoresForDeployment({ deploymentId: rollbackId })

    expect(listed.map((r) => r.id)).toEqual([newer.id, older.id])
    expect(listed[0]).toMatchObject({ status: 'QUEUED', mode: 'IN_PLACE', targetDatabase: 'app', outcome: null, backup: null })
    expect(listed[1]).toMatchObject({
      status: 'CANCELLED',
      outcome: 'Not run: rollback #3 ended failed.',
      environment: { id: environmentId },
      backup: { id: backup.id, kind: 'LOGICAL', engine: 'PG_DUMP', trigger: 'PRE_DEPLOY', sizeBytes: 2845, startedAt: new Date('2026-01-02T03:04:05Z') },
    })
  })

  it('answers an empty list for a deployment that carries no restore', async () => {
    expect(await callerFor(viewer).backup.restoresForDeployment({ deploymentId: unique('plain-deploy') })).toEqual([])
  })
})
