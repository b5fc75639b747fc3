// isolatedMounts: a scratch one-off never gets the live data mount, and nothing it keeps is writable.
import { describe, expect, it } from 'vitest'
import { isolatedMounts, type InspectMount } from './docker-one-off'

const stack: InspectMount[] = [
  { Type: 'volume', Name: 'traider_postgres-data', Source: '/var/lib/docker/volumes/traider_postgres-data/_data', Destination: '/var/lib/postgresql/data' },
  { Type: 'bind', Source: '/opt/traider/compose/postgres/postgresql.conf', Destination: '/etc/postgresql/postgresql.conf' },
  { Type: 'volume', Name: 'traider_pgbackrest-repo', Source: '/var/lib/docker/volumes/traider_pgbackrest-repo/_data', Destination: '/var/lib/pgbackrest' },
  { Type: 'bind', Source: '/opt/traider/secrets/postgres_password', Destination: '/run/secrets/postgres_password' },
]

describe('isolatedMounts', () => {
  it('the compose postgres service: the data volume replaced by the scratch volume, the rest read-only', () => {
    expect(isolatedMounts(stack, '/var/lib/postgresql/data/', 'scratch-1')).toEqual([
      { Type: 'bind', Source: '/opt/traider/compose/postgres/postgresql.conf', Target: '/etc/postgresql/postgresql.conf', ReadOnly: true },
      { Type: 'volume', Source: 'traider_pgbackrest-repo', Target: '/var/lib/pgbackrest', ReadOnly: true },
      { Type: 'bind', Source: '/opt/traider/secrets/postgres_password', Target: '/run/secrets/postgres_password', ReadOnly: true },
      { Type: 'volume', Source: 'scratch-1', Target: '/var/lib/postgresql/data', ReadOnly: false },
    ])
  })

  it('data below the mount (PGDATA=…/data/pgdata) and a WAL volume inside it: both left out', () => {
    const mounts: InspectMount[] = [
      { Type: 'volume', Name: 'pg', Source: '/x', Destination: '/var/lib/postgresql' },
      { Type: 'volume', Name: 'wal', Source: '/y', Destination: '/var/lib/postgresql/data/pgdata/pg_wal' },
      { Type: 'tmpfs', Source: '', Destination: '/scratch-tmp' },
    ]
    expect(isolatedMounts(mounts, '/var/lib/postgresql/data/pgdata', 's')).toEqual([
      { Type: 'tmpfs', Source: '', Target: '/scratch-tmp' },
      { Type: 'volume', Source: 's', Target: '/var/lib/postgresql', ReadOnly: false },
    ])
  })

  it('data on the container root (no volume): the scratch volume goes at the data directory', () => {
    expect(isolatedMounts([], '/srv/pg', 's')).toEqual([{ Type: 'volume', Source: 's', Target: '/srv/pg', ReadOnly: false }])
  })
})
