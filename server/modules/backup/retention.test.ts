import { describe, expect, it } from 'vitest'
import { selectPrunable, type RetentionCandidate } from './retention'

const NOW = new Date('2026-11-26T12:00:00Z')
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000)
const b = (id: string, kind: RetentionCandidate['kind'], age: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate => ({
  id,
  kind,
  status: 'SUCCEEDED',
  startedAt: daysAgo(age),
  verified: true,
  ...extra,
})

const cases: Array<{ name: string; backups: RetentionCandidate[]; policy?: { retentionDays: number; keepFulls: number }; prune: string[] }> = [
  { name: 'nothing expired: nothing pruned', backups: [b('a', 'LOGICAL', 1), b('b', 'LOGICAL', 29)], prune: [] },
  { name: 'expired logical dumps beyond the kept fulls go', backups: [b('new', 'LOGICAL', 1), b('mid', 'LOGICAL', 31), b('old', 'LOGICAL', 40), b('older', 'LOGICAL', 50)], prune: ['old', 'older'] },
  {
    name: 'the only verified backup stays even when old and beyond keepFulls',
    backups: [b('n1', 'LOGICAL', 1, { verified: false }), b('n2', 'LOGICAL', 2, { verified: false }), b('v', 'LOGICAL', 90, { verified: true }), b('x', 'LOGICAL', 91, { verified: false })],
    prune: ['x'],
  },
  { name: 'keep at least N fulls even when all are expired', backups: [b('f1', 'FULL', 40), b('f2', 'FULL', 41), b('f3', 'FULL', 42)], prune: ['f3'] },
  {
    name: 'an incremental kept inside the window keeps its expired full',
    backups: [b('f-old', 'FULL', 45), b('i1', 'INCREMENTAL', 10), b('f-older', 'FULL', 60), b('i-old', 'INCREMENTAL', 59)],
    policy: { retentionDays: 30, keepFulls: 0 },
    prune: ['i-old', 'f-older'],
  },
  {
    name: 'failed backups past the window are pruned; running ones never',
    backups: [b('ok', 'LOGICAL', 1), b('failed-old', 'LOGICAL', 40, { status: 'FAILED', verified: null }), b('failed-new', 'LOGICAL', 3, { status: 'FAILED', verified: null }), b('run', 'LOGICAL', 100, { status: 'RUNNING' })],
    prune: ['failed-old'],
  },
  { name: 'already pruned rows are not pruned again', backups: [b('p', 'LOGICAL', 100, { status: 'PRUNED' }), b('ok', 'LOGICAL', 1)], prune: [] },
  { name: 'a failed backup never counts as one of the kept fulls', backups: [b('f-bad', 'LOGICAL', 40, { status: 'FAILED', verified: null }), b('f1', 'LOGICAL', 41), b('f2', 'LOGICAL', 42), b('f3', 'LOGICAL', 43)], prune: ['f-bad', 'f3'] },
]

describe('selectPrunable', () => {
  for (const c of cases) {
    it(c.name, () => {
      const decision = selectPrunable(c.backups, c.policy ?? { retentionDays: 30, keepFulls: 2 }, NOW)
      expect([...decision.prune].sort()).toEqual([...c.prune].sort())
      // Every candidate is either pruned or kept with a reason, never both.
      for (const k of decision.kept) expect(decision.prune).not.toContain(k.id)
    })
  }

  it('says why each backup is kept', () => {
    const decision = selectPrunable([b('new', 'LOGICAL', 1, { verified: false }), b('v', 'LOGICAL', 40), b('gone', 'LOGICAL', 41)], { retentionDays: 30, keepFulls: 0 }, NOW)
    expect(decision).toEqual({
      prune: ['gone'],
      kept: [
        { id: 'new', why: 'newer than 30 days' },
        { id: 'v', why: 'the newest verified backup' },
      ],
    })
  })
})
