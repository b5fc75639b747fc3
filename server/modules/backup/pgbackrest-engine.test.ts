// The pgBackRest restore command lines: a copy never archives into the stanza; in place rewrites
// only differing files and keeps archiving (the restored cluster carries on on a new timeline).
import { describe, expect, it } from 'vitest'
import { pgbackrestCommand, physicalRestoreArgs } from './pgbackrest-engine'

describe('physicalRestoreArgs', () => {
  const at = new Date('2026-11-26T12:34:56.789Z')

  it('a copy into a data directory: its own pg1-path, archiving off, promoted at the time', () => {
    expect(physicalRestoreArgs({ copy: true, dataDir: '/tmp/x/data', targetTime: at })).toEqual([
      'restore', '--target-action=promote', '--pg1-path=/tmp/x/data', '--archive-mode=off', '--type=time', '--target=2026-11-26 12:34:56.789+00',
    ])
  })

  it('in place: --delta over the configured pg1-path, archiving kept; a set is restored to its end', () => {
    expect(physicalRestoreArgs({ copy: false, set: '20261126-120000F' })).toEqual(['restore', '--target-action=promote', '--delta', '--type=immediate', '--set=20261126-120000F'])
    expect(physicalRestoreArgs({ copy: false, targetTime: at, set: null })).not.toContain('--archive-mode=off')
  })

  it('every command starts with the config and stanza, and refuses without them', () => {
    expect(pgbackrestCommand({ pgbackrest: { config: '/etc/pgbackrest/pgbackrest.conf', stanza: 'traider' } })).toEqual(['pgbackrest', '--config=/etc/pgbackrest/pgbackrest.conf', '--stanza=traider'])
    expect(() => pgbackrestCommand({ pgbackrest: null })).toThrow(/set them on the Backups page, or use the pg_dump engine/)
  })
})
