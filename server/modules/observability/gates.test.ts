// Gate evaluation over fake query answers: comparisons, no data, NaN, several series, errors.
import { describe, expect, it } from 'vitest'
import { PrometheusError, type PromSample } from '@/server/infra/prometheus'
import { evaluateGates } from './gates'

const answer = (samples: PromSample[] | Error) => async () => {
  if (samples instanceof Error) throw samples
  return samples
}
const gate = { name: 'p95', query: 'q', comparator: '<' as const, threshold: 0.1 }

describe('evaluateGates', () => {
  it('passes and fails on the comparison, quoting query and value', async () => {
    expect(await evaluateGates('http://p', [gate], answer([{ labels: {}, value: 0.05 }]))).toMatchObject([{ ok: true, value: 0.05, message: '`q` = 0.05 (must be < 0.1)' }])
    expect(await evaluateGates('http://p', [gate], answer([{ labels: {}, value: 0.25 }]))).toMatchObject([{ ok: false, value: 0.25 }])
    expect(await evaluateGates('http://p', [{ ...gate, comparator: '>=', threshold: 1 }], answer([{ labels: {}, value: 1 }]))).toMatchObject([{ ok: true }])
  })

  it('no data and NaN fail: a gate that cannot be checked does not pass', async () => {
    const [empty] = await evaluateGates('http://p', [gate], answer([]))
    expect(empty.ok).toBe(false)
    expect(empty.message).toContain('returned no data')
    expect(empty.message).toContain('or vector(0)')
    const [nan] = await evaluateGates('http://p', [gate], answer([{ labels: {}, value: Number.NaN }]))
    expect(nan.ok).toBe(false)
  })

  it('with several series every one must pass; the failing one is named', async () => {
    const [r] = await evaluateGates('http://p', [gate], answer([{ labels: { service: 'api' }, value: 0.01 }, { labels: { service: 'web' }, value: 0.3 }]))
    expect(r.ok).toBe(false)
    expect(r.message).toBe('`q` = 0.3 for {service="web"} (must be < 0.1)')
  })

  it('an unreachable Prometheus fails the gate with its reason', async () => {
    const [r] = await evaluateGates('http://p', [gate], answer(new PrometheusError('Prometheus at http://p did not answer')))
    expect(r).toMatchObject({ ok: false, value: null })
    expect(r.message).toContain('could not be evaluated: Prometheus at http://p did not answer')
  })
})
