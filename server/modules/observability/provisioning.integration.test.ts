// The TRAIDER stack's Prometheus and Grafana provisioning (compose/traider/): Debian's promtool
// accepts the config and rules and the rules' unit tests pass; every PromQL expression in the
// Grafana dashboards and in the portal's charts parses on a real Prometheus (loopback).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { startPrometheus, type TestPrometheus } from '@/test/prometheus'
import { CHARTS } from './chart-queries'
import { TRADING_DASHBOARD_UID } from './observability.service'

const dir = path.resolve('compose/traider')
const promtool = (args: string[], cwd: string) => spawnSync('/usr/bin/promtool', args, { cwd, encoding: 'utf8', timeout: 30_000 })
type Dashboard = { uid: string; title: string; panels: Array<{ title: string; targets: Array<{ expr: string }> }>; annotations: { list: Array<{ target?: { tags?: string[] } }> } }
const dashboards = ['trading-operations.json', 'control-plane.json'].map((f) => JSON.parse(readFileSync(path.join(dir, 'grafana/provisioning/dashboards/json', f), 'utf8')) as Dashboard)

let prometheus: TestPrometheus
beforeAll(async () => {
  prometheus = await startPrometheus([])
})
afterAll(async () => {
  await prometheus?.stop()
})

async function parses(expr: string): Promise<string | null> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr.replaceAll('$environment', '.*'))}`)
  const body = (await response.json()) as { status: string; error?: string }
  return body.status === 'success' ? null : (body.error ?? 'error')
}

describe('Prometheus provisioning', () => {
  it('promtool check config accepts prometheus.yml, its rule files included', () => {
    const result = promtool(['check', 'config', 'prometheus.yml'], path.join(dir, 'prometheus'))
    expect(result.status, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain('SUCCESS: 1 rule files found')
  })

  it('scrapes the control plane, the backend and the host/container/database/cache exporters', () => {
    const config = parse(readFileSync(path.join(dir, 'prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string }> }
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(
      expect.arrayContaining(['control-plane-web', 'control-plane-worker', 'backend', 'node-exporter', 'cadvisor', 'postgres-exporter', 'redis-exporter']),
    )
  })

  it('promtool check rules accepts the alert rules, and the report targets each have one', () => {
    const result = promtool(['check', 'rules', 'rules/traider.rules.yml'], path.join(dir, 'prometheus'))
    expect(result.status, result.stdout + result.stderr).toBe(0)
    const rules = parse(readFileSync(path.join(dir, 'prometheus/rules/traider.rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }
    const byName = Object.fromEntries(rules.groups.flatMap((g) => g.rules).map((r) => [r.alert, r.expr]))
    expect(byName.TraiderApiLatencyHigh).toContain('> 0.1')
    expect(byName.TraiderDatabaseQuerySlow).toContain('> 0.05')
    expect(byName.ContainerMemoryHigh).toContain('> 0.8')
    expect(byName.HostMemoryHigh).toContain('> 0.8')
    expect(byName.ContainerCpuHigh).toContain('> 0.7')
    expect(byName.HostCpuHigh).toContain('> 0.7')
    expect(byName.BackupTooOld).toContain('traider_control_backup_last_success_timestamp_seconds')
    expect(byName.TraiderRiskLimitBreach).toContain('traider_risk_limit_breaches')
  })

  it('promtool test rules: the latency and risk alerts fire on synthetic series', () => {
    const result = promtool(['test', 'rules', 'traider.rules.test.yml'], path.join(dir, 'prometheus/tests'))
    expect(result.status, result.stdout + result.stderr).toBe(0)
  })
})

describe('Grafana provisioning and portal charts', () => {
  it('provisions the trading-operations and control-plane dashboards with deployment annotations', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([TRADING_DASHBOARD_UID, 'traider-control-plane'])
    for (const d of dashboards) expect(d.annotations.list.some((a) => a.target?.tags?.includes('traider-deployment')), d.uid).toBe(true)
    const datasources = parse(readFileSync(path.join(dir, 'grafana/provisioning/datasources/traider.yml'), 'utf8')) as { datasources: Array<{ uid: string }> }
    expect(datasources.datasources.map((d) => d.uid)).toContain('prometheus')
    const provider = parse(readFileSync(path.join(dir, 'grafana/provisioning/dashboards/traider.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> }
    expect(provider.providers[0].options.path).toBe('/etc/grafana/provisioning/dashboards/json')
    const trading = JSON.stringify(dashboards[0])
    for (const metric of ['traider_api_requests_total', 'traider_database_connections', 'traider_trading_signals_generated', 'traider_order_execution_latency', 'traider_risk_limit_breaches']) expect(trading).toContain(metric)
  })

  it('every dashboard and chart query parses as PromQL', async () => {
    const exprs = [...dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => [`${d.uid}: ${p.title}`, t.expr]))), ...Object.entries(CHARTS).map(([k, c]) => [`chart ${k}`, c.query])]
    expect(exprs.length).toBeGreaterThan(25)
    const problems = []
    for (const [where, expr] of exprs) {
      const error = await parses(expr)
      if (error) problems.push(`${where}: ${error}`)
    }
    expect(problems).toEqual([])
  })
})
