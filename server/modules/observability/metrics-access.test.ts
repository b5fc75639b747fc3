// Who may scrape: bearer token, allowlisted address, or loopback when nothing is configured.
import { describe, expect, it } from 'vitest'
import { metricsAccess } from './metrics-access'

describe('metricsAccess', () => {
  it('with nothing configured, loopback only', () => {
    const allow = metricsAccess({ allowedCidrs: [] })
    expect(allow({ authorization: null, ip: '127.0.0.1' }).ok).toBe(true)
    expect(allow({ authorization: null, ip: '::1' }).ok).toBe(true)
    expect(allow({ authorization: null, ip: '10.1.2.3' })).toMatchObject({ ok: false, status: 403 })
  })

  it('a token: exact bearer match only; loopback no longer enough', () => {
    const allow = metricsAccess({ token: 'a-long-metrics-token-123', allowedCidrs: [] })
    expect(allow({ authorization: 'Bearer a-long-metrics-token-123', ip: '10.1.2.3' }).ok).toBe(true)
    expect(allow({ authorization: 'Bearer a-long-metrics-token-12', ip: '10.1.2.3' })).toMatchObject({ ok: false, status: 401 })
    expect(allow({ authorization: null, ip: '127.0.0.1' })).toMatchObject({ ok: false, status: 401 })
  })

  it('an allowlist: addresses inside pass without a token', () => {
    const allow = metricsAccess({ allowedCidrs: ['10.0.0.0/8'] })
    expect(allow({ authorization: null, ip: '10.9.9.9' }).ok).toBe(true)
    expect(allow({ authorization: null, ip: '192.168.1.1' }).ok).toBe(false)
    expect(allow({ authorization: null, ip: '127.0.0.1' }).ok).toBe(false)
  })
})
