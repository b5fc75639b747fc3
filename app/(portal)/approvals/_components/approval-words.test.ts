// The approval gate and policy in words: what the inbox, toasts and policy card say.
import { describe, expect, it } from 'vitest'
import { afterApprovalWords, describePolicy, formatMinutes, freezeWindowWords, gateProgress, rolesWords } from './approval-words'

describe('gateProgress', () => {
  it('counts "N of M approvals"', () => {
    expect(gateProgress('1 of 2 approvals')).toMatchObject({ counted: 1, needed: 2, state: 'pending' })
    expect(gateProgress('0 of 1 approval')).toMatchObject({ counted: 0, needed: 1, state: 'pending' })
  })

  it('reads a wait timer as approved, with the time in words instead of ISO', () => {
    const gate = gateProgress('approved; waits until 2026-11-26T14:03:12.000Z (wait timer)')
    expect(gate).toMatchObject({ counted: null, state: 'approved' })
    expect(gate.words).toMatch(/^approved; starts at 26 Nov 2026, \d\d:\d\d:12 \(wait timer\)$/)
  })
})

describe('afterApprovalWords', () => {
  it('says queued, the count, or what holds it', () => {
    expect(afterApprovalWords(5, 'approved', true)).toBe('Approved: deployment #5 is queued')
    expect(afterApprovalWords(5, '1 of 2 approvals', false)).toBe('Approved: 1 of 2 approvals')
    expect(afterApprovalWords(5, 'approved, but Market close is a freeze window until 2026-11-26T22:00:00Z', false)).toMatch(
      /^Approved: deployment #5 waits: Market close is a freeze window until 26 Nov 2026/,
    )
  })
})

describe('describePolicy', () => {
  const production = { requiredApprovals: 2, eligibleRoles: ['APPROVER', 'ADMIN'] as const, approvalTtlMinutes: 1440, waitTimerMinutes: 0, freezeWindows: [] }

  it('writes the production default as one sentence', () => {
    expect(describePolicy('PRODUCTION', { ...production, eligibleRoles: [...production.eligibleRoles] })).toBe(
      'Production: 2 approvals from approver or admin, approvals last 24 h, no wait timer, no freeze windows',
    )
  })

  it('says when no approval is needed, and names wait timers and windows', () => {
    expect(describePolicy('DEVELOPMENT', { ...production, eligibleRoles: ['OPERATOR', 'APPROVER', 'ADMIN'], requiredApprovals: 0, waitTimerMinutes: 30, freezeWindows: [{}] })).toBe(
      'Development: no approvals needed (requests start at once), a 30 min wait timer after the last approval, 1 freeze window',
    )
  })
})

describe('small words', () => {
  it('formats minutes, roles and freeze windows', () => {
    expect([formatMinutes(45), formatMinutes(90), formatMinutes(1440), formatMinutes(2880)]).toEqual(['45 min', '1 h 30 min', '24 h', '2 d'])
    expect(rolesWords(['OPERATOR', 'APPROVER', 'ADMIN'])).toBe('operator, approver or admin')
    expect(freezeWindowWords({ days: [6, 5], start: '22:00', end: '06:00', timeZone: 'Europe/London', label: 'Weekend' })).toBe(
      'Fri, Sat 22:00–06:00 (to the next day) Europe/London (Weekend)',
    )
  })
})
