// A real Prometheus (Debian's /usr/bin/prometheus) on loopback for tests, e2e and benches:
// temp config and data directory, a free port, stopped and removed by stop().
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './net'

export type ScrapeTarget = { job: string; target: string; metricsPath?: string; bearerToken?: string }

export type TestPrometheus = { url: string; stop(): Promise<void>; query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> }

export function prometheusConfig(targets: ScrapeTarget[], intervalSeconds = 1): string {
  const jobs = targets.map(
    (t) => `  - job_name: ${JSON.stringify(t.job)}
    scrape_interval: ${intervalSeconds}s
    scrape_timeout: ${intervalSeconds}s
    metrics_path: ${JSON.stringify(t.metricsPath ?? '/metrics')}
${t.bearerToken ? `    authorization:\n      credentials: ${JSON.stringify(t.bearerToken)}\n` : ''}    static_configs:
      - targets: [${JSON.stringify(t.target)}]`,
  )
  return `global:\n  scrape_interval: ${intervalSeconds}s\n  evaluation_interval: ${intervalSeconds}s\nscrape_configs:\n${jobs.join('\n')}\n`
}

export async function startPrometheus(targets: ScrapeTarget[]): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'traider-prom-'))
  writeFileSync(path.join(dir, 'prometheus.yml'), prometheusConfig(targets))
  const port = await freePort()
  const child = spawn(
    '/usr/bin/prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)))
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`prometheus exited at start: ${stderr}`)
    }
    if (await ready(`${url}/-/ready`)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`prometheus not ready within 20 s: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    stop,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      const body = (await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }
      return body.data.result
    },
  }
}

function ready(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.setTimeout(1_000, () => req.destroy())
  })
}

/** Polls `check` every 250 ms until it returns a value, at most `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** A tiny exporter the test controls: set(value) changes what the next scrape sees. */
export async function startFixtureExporter(initial: Record<string, number>) {
  const values = { ...initial }
  const server = http.createServer((req, res) => {
    const body = Object.entries(values).map(([name, v]) => `# TYPE ${name} gauge\n${name} ${v}\n`).join('')
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
    res.end(body)
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    target: `127.0.0.1:${port}`,
    set(name: string, value: number) {
      values[name] = value
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
