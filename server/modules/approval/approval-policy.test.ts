// Table-driven tests of the approval policy decision: N-of-M, self-approval, duplicates,
// expiry, plan changes, rejection, two-factor, wait timer, freeze windows (edges, past
// midnight, time zones, DST) and break-glass.
import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICIES, evaluateApprovalPolicy, freezeEnd, isFrozenAt, type ApprovalPolicy, type Decision, type FreezeWindow, type GatedRequest } from './approval-policy'

const NOW = new Date('2026-11-26T12:00:00Z') // a Thursday
const PLAN = 'a'.repeat(64)
const prod: ApprovalPolicy = { ...DEFAULT_POLICIES.PRODUCTION, requireTotp: false }
const request: GatedRequest = { requesterId: 'alice', planHash: PLAN, kind: 'DEPLOY' }
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000)
const approve = (who: string, over: Partial<Decision> = {}): Decision => ({
  approverId: who,
  approverRole: 'APPROVER',
  decision: 'APPROVE',
  planHash: PLAN,
  decidedAt: minutesAgo(5),
  totpVerified: true,
  ...over,
})

describe('evaluateApprovalPolicy', () => {
  it.each<[string, ApprovalPolicy, GatedRequest, Decision[], string, Record<string, unknown>?]>([
    ['no approvals yet → pending 0 of 2', prod, request, [], 'pending', { counted: [], needed: 2 }],
    ['one of two → pending', prod, request, [approve('bob')], 'pending', { counted: ['bob'] }],
    ['two different approvers → approved', prod, request, [approve('bob'), approve('carol')], 'approved', { counted: ['bob', 'carol'] }],
    ['the requester approving their own request does not count', prod, request, [approve('alice'), approve('bob')], 'pending', { counted: ['bob'] }],
    ['the same person twice counts once', prod, request, [approve('bob'), approve('bob', { decidedAt: minutesAgo(1) })], 'pending', { counted: ['bob'] }],
    ['an operator cannot approve', prod, request, [approve('bob'), approve('dave', { approverRole: 'OPERATOR' })], 'pending', { counted: ['bob'] }],
    ['an admin can approve', prod, request, [approve('bob'), approve('erin', { approverRole: 'ADMIN' })], 'approved'],
    ['an approval for an earlier plan is void', prod, request, [approve('bob'), approve('carol', { planHash: 'b'.repeat(64) })], 'pending', { counted: ['bob'] }],
    ['an expired approval (24 h) is void', prod, request, [approve('bob'), approve('carol', { decidedAt: minutesAgo(24 * 60) })], 'pending', { counted: ['bob'] }],
    ['an approval just inside 24 h counts', prod, request, [approve('bob'), approve('carol', { decidedAt: minutesAgo(24 * 60 - 1) })], 'approved'],
    ['a rejection ends the request', prod, request, [approve('bob'), approve('carol', { decision: 'REJECT' })], 'rejected', { by: 'carol' }],
    ['a rejection by the requester does not count', prod, request, [approve('alice', { decision: 'REJECT' })], 'pending'],
    ['a person who rejected and then approved: the latest stands', prod, request, [approve('bob', { decision: 'REJECT', decidedAt: minutesAgo(10) }), approve('bob'), approve('carol')], 'approved'],
    ['two-factor required: an approval without a code is void', { ...prod, requireTotp: true }, request, [approve('bob'), approve('carol', { totpVerified: false })], 'pending', { counted: ['bob'] }],
    ['development needs no approval', DEFAULT_POLICIES.DEVELOPMENT, request, [], 'approved'],
    ['staging needs one', DEFAULT_POLICIES.STAGING, request, [approve('bob')], 'approved'],
    ['break-glass needs none, whatever the policy', prod, { ...request, kind: 'EMERGENCY_ROLLBACK' }, [], 'approved', { breakGlass: true }],
    ['a rollback is gated like a deploy', prod, { ...request, kind: 'ROLLBACK' }, [approve('bob')], 'pending'],
    ['a restore is gated like a deploy', prod, { ...request, kind: 'RESTORE' }, [approve('bob'), approve('carol')], 'approved'],
  ])('%s', (_label, policy, req, decisions, state, extra = {}) => {
    const outcome = evaluateApprovalPolicy({ policy, request: req, decisions, now: NOW })
    expect(outcome.state).toBe(state)
    expect(outcome).toMatchObject(extra)
  })

  it('says why each ignored decision does not count', () => {
    const outcome = evaluateApprovalPolicy({ policy: { ...prod, requireTotp: true }, request, decisions: [approve('alice'), approve('bob', { planHash: 'c'.repeat(64) }), approve('carol', { totpVerified: false })], now: NOW })
    expect(outcome).toMatchObject({
      state: 'pending',
      ignored: [
        { approverId: 'alice', why: 'the requester cannot approve their own request' },
        { approverId: 'bob', why: 'given for an earlier plan: the plan changed since' },
        { approverId: 'carol', why: 'approved without a current two-factor code' },
      ],
    })
  })

  it('holds an approved request for the wait timer, counted from the deciding approval', () => {
    const policy = { ...prod, waitTimerMinutes: 30 }
    const decisions = [approve('bob', { decidedAt: minutesAgo(40) }), approve('carol', { decidedAt: minutesAgo(10) })]
    const outcome = evaluateApprovalPolicy({ policy, request, decisions, now: NOW })
    expect(outcome).toEqual({ state: 'waiting', counted: ['bob', 'carol'], needed: 2, startsAt: minutesAgo(-20) })
    expect(evaluateApprovalPolicy({ policy, request, decisions, now: minutesAgo(-20) }).state).toBe('approved')
  })

  it('refuses to start inside a freeze window and says until when; break-glass ignores it', () => {
    const freeze: FreezeWindow = { days: [4], start: '13:00', end: '15:00', timeZone: 'Europe/Berlin', label: 'Thursday trading peak' }
    const policy = { ...DEFAULT_POLICIES.DEVELOPMENT, freezeWindows: [freeze] }
    // 12:00Z is 13:00 in Berlin (UTC+1 in November): exactly at the start, so frozen.
    expect(evaluateApprovalPolicy({ policy, request, decisions: [], now: NOW })).toEqual({ state: 'frozen', counted: [], needed: 0, until: new Date('2026-11-26T14:00:00Z'), window: 'Thursday trading peak' })
    expect(evaluateApprovalPolicy({ policy, request: { ...request, kind: 'EMERGENCY_ROLLBACK' }, decisions: [], now: NOW }).state).toBe('approved')
  })
})

describe('freeze windows', () => {
  const nightly: FreezeWindow = { days: [5], start: '22:00', end: '06:00', timeZone: 'America/New_York' } // Friday night → Saturday morning
  it.each<[string, FreezeWindow, string, boolean]>([
    ['one minute before the start is open', { days: [4], start: '13:00', end: '15:00', timeZone: 'UTC' }, '2026-11-26T12:59:00Z', false],
    ['the start minute is frozen', { days: [4], start: '13:00', end: '15:00', timeZone: 'UTC' }, '2026-11-26T13:00:00Z', true],
    ['the end minute is open again', { days: [4], start: '13:00', end: '15:00', timeZone: 'UTC' }, '2026-11-26T15:00:00Z', false],
    ['another weekday is open', { days: [4], start: '13:00', end: '15:00', timeZone: 'UTC' }, '2026-11-27T14:00:00Z', false],
    ['past midnight: Friday 23:30 New York is frozen', nightly, '2026-11-28T04:30:00Z', true],
    ['past midnight: Saturday 05:59 New York is still frozen', nightly, '2026-11-28T10:59:00Z', true],
    ['past midnight: Saturday 06:00 New York is open', nightly, '2026-11-28T11:00:00Z', false],
    ['past midnight: Sunday 01:00 New York is open (Saturday not listed)', nightly, '2026-11-29T06:00:00Z', false],
    ['the window follows its own time zone: 13:00 Tokyo is 04:00Z', { days: [4], start: '13:00', end: '14:00', timeZone: 'Asia/Tokyo' }, '2026-11-26T04:30:00Z', true],
  ])('%s', (_label, window, at, frozen) => {
    expect(isFrozenAt(window, new Date(at))).toBe(frozen)
  })

  it('across a DST change the end is the local end time (US fall back, 1 Nov 2026)', () => {
    const window: FreezeWindow = { days: [6], start: '22:00', end: '06:00', timeZone: 'America/New_York' }
    // Saturday 31 Oct 23:00 EDT (03:00Z Sunday) → ends Sunday 06:00 EST = 11:00Z.
    expect(freezeEnd(window, new Date('2026-11-01T03:00:00Z'))).toEqual(new Date('2026-11-01T11:00:00Z'))
  })

  it('refuses a malformed time with words', () => {
    expect(() => isFrozenAt({ days: [1], start: '25:00', end: '06:00', timeZone: 'UTC' }, NOW)).toThrow('"25:00" is not a time of day: use HH:MM')
  })
})

describe('default policies', () => {
  it('production needs 2 approvals, each with a current two-factor code; staging and development do not ask for one', () => {
    expect(DEFAULT_POLICIES.PRODUCTION).toMatchObject({ requiredApprovals: 2, requireTotp: true })
    expect(DEFAULT_POLICIES.STAGING.requireTotp).toBe(false)
    expect(DEFAULT_POLICIES.DEVELOPMENT.requireTotp).toBe(false)
    const outcome = evaluateApprovalPolicy({ policy: DEFAULT_POLICIES.PRODUCTION, request, decisions: [approve('bob'), approve('carol', { totpVerified: false })], now: NOW })
    expect(outcome).toMatchObject({ state: 'pending', counted: ['bob'] })
  })
})
