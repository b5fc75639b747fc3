// Unit tests for the pure security helpers: IP allowlist parsing/matching and the CSP.
import { describe, expect, it } from 'vitest'
import { parseAllowlist } from './ip-allowlist'
import { contentSecurityPolicy } from './headers'

describe('parseAllowlist', () => {
  it('allows everyone when empty', () => {
    expect(parseAllowlist([]).allows('203.0.113.9')).toBe(true)
  })

  it('matches IPv4 and IPv6 CIDRs and single addresses, including v4-mapped v6', () => {
    const list = parseAllowlist(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'])
    expect(list.allows('10.200.3.4')).toBe(true)
    expect(list.allows('::ffff:10.1.1.1')).toBe(true)
    expect(list.allows('192.168.1.7')).toBe(true)
    expect(list.allows('192.168.1.8')).toBe(false)
    expect(list.allows('2001:db8:1::5')).toBe(true)
    expect(list.allows('2001:db9::1')).toBe(false)
    expect(list.allows(null)).toBe(false)
    expect(list.allows('not-an-ip')).toBe(false)
  })

  it.each([
    ['10.0.0.0/33', 'bad prefix length: use 0–32'],
    ['::1/129', 'bad prefix length: use 0–128'],
    ['office-network', 'is not an IP address or CIDR'],
  ])('names the bad entry %s', (entry, message) => {
    expect(() => parseAllowlist([entry])).toThrow(message)
  })
})

describe('contentSecurityPolicy', () => {
  it('carries the nonce, forbids framing by others and plugins, and has no unsafe-eval in production', () => {
    const csp = contentSecurityPolicy('abc123', { dev: false })
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'")
    expect(csp).toContain("frame-ancestors 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).not.toContain('unsafe-eval')
  })
})
