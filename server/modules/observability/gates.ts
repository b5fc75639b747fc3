// PromQL deployment gates: each query must return at least one number, and every number it
// returns must satisfy the comparison. No data or an unreachable Prometheus fails the gate
// (a gate that cannot be checked does not let a release through).
import type { Db } from '@/server/db'
import { promQuery, type PromSample } from '@/server/infra/prometheus'
import type { DeploymentGateCheck } from '@/server/modules/deployment/engine-context'
import { deploymentGate, type DeploymentGate } from './observability.schema'

export type GateResult = DeploymentGate & { ok: boolean; value: number | null; message: string }

const COMPARE: Record<DeploymentGate['comparator'], (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
}

const fmt = (v: number) => String(Number(v.toPrecision(4)))
const labelsOf = (s: PromSample) => Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',')

export async function evaluateGates(prometheusUrl: string, gates: DeploymentGate[], query = promQuery): Promise<GateResult[]> {
  const results: GateResult[] = []
  for (const gate of gates) {
    const rule = `must be ${gate.comparator} ${fmt(gate.threshold)}`
    try {
      const samples = await query(prometheusUrl, gate.query)
      if (samples.length === 0) {
        results.push({ ...gate, ok: false, value: null, message: `\`${gate.query}\` returned no data (${rule}); if no data means zero, append \`or vector(0)\`` })
        continue
      }
      const bad = samples.find((s) => Number.isNaN(s.value) || !COMPARE[gate.comparator](s.value, gate.threshold))
      const shown = bad ?? samples[0]
      const where = samples.length > 1 && bad ? ` for {${labelsOf(bad)}}` : ''
      results.push({ ...gate, ok: !bad, value: shown.value, message: `\`${gate.query}\` = ${fmt(shown.value)}${where} (${rule})` })
    } catch (error) {
      results.push({ ...gate, ok: false, value: null, message: `\`${gate.query}\` could not be evaluated: ${(error as Error).message}` })
    }
  }
  return results
}

/** The engine seam: reads the environment's gates and Prometheus from Postgres at verify time. */
export function prometheusGateCheck(db: Db): DeploymentGateCheck {
  return async ({ environmentId }) => {
    const settings = await db.environmentObservability.findUnique({ where: { environmentId } })
    const gates = deploymentGate.array().safeParse(settings?.gates ?? [])
    if (!settings || !gates.success || gates.data.length === 0) return []
    if (!settings.prometheusUrl) {
      return [{ name: 'prometheus', ok: false, message: 'this environment has deployment gates but no Prometheus URL: set one under Observability settings, or remove the gates' }]
    }
    return evaluateGates(settings.prometheusUrl, gates.data)
  }
}
