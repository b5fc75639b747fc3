#!/usr/bin/env node
// traider: the command line for the TRAIDER control plane's REST API (/api/v1). Plain Node
// (>= 20), no dependencies, so it runs wherever `node` does. URL and token come from
// TRAIDER_URL / TRAIDER_TOKEN, or from ~/.config/traider/config.json (must be private: 0600).
// Exit codes: 0 succeeded · 1 failed or rolled back · 2 usage · 3 waiting for approval or refused by policy.
import { randomUUID } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 }
const TERMINAL = { SUCCEEDED: EXIT.ok, ROLLED_BACK: EXIT.failed, FAILED: EXIT.failed, CANCELLED: EXIT.failed, REJECTED: EXIT.refused }

const HELP = `traider — deploy and inspect TRAIDER environments through the control plane's API

Usage:
  traider deploy <env> [--set service=tag …] [--set VAR=value …] [--bake <seconds>] [--wait]
  traider rollback <env> [--to <release>] [--emergency --reason "<why>"] [--bake <seconds>] [--wait]
  traider status <env>
  traider backup <env> [--kind full|incremental|auto] [--wait]
  traider audit verify
  traider --help

Options:
  --set service=tag   release variable: "web=v2" sets WEB_TAG=v2; "WEB_TAG=v2" is taken as is
  --wait              follow the deployment until it ends, printing its progress
  --timeout <sec>     give up waiting after this long (default 1800; exit 1)
  --json              print the result as JSON instead of words
  --url <url>         control plane URL (else TRAIDER_URL, else the config file)

Configuration: TRAIDER_URL and TRAIDER_TOKEN, or ~/.config/traider/config.json
  { "url": "https://control.example.com", "token": "trd_…" }  (chmod 600: refused if others can read it)
Create a token in the portal: Settings → API tokens.

Exit codes: 0 succeeded · 1 failed or rolled back · 2 usage · 3 waiting for approval or refused by policy`

class CliError extends Error {
  constructor(message, exitCode) {
    super(message)
    this.exitCode = exitCode
  }
}
const usage = (message) => new CliError(`${message}\nRun "traider --help" for usage.`, EXIT.usage)

function parseArgs(argv) {
  const positional = []
  const flags = { set: [] }
  const takesValue = new Set(['set', 'to', 'reason', 'bake', 'timeout', 'url', 'interval', 'kind'])
  const booleans = new Set(['wait', 'emergency', 'json', 'help', 'version'])
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h') { flags.help = true; continue }
    if (!arg.startsWith('--')) { positional.push(arg); continue }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2)
    if (booleans.has(name)) { flags[name] = true; continue }
    if (!takesValue.has(name)) throw usage(`Unknown option --${name}.`)
    const value = inline ?? argv[++i]
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw usage(`--${name} needs a value.`)
    if (name === 'set') flags.set.push(value)
    else flags[name] = value
  }
  return { positional, flags }
}

/** "web=v2" → WEB_TAG=v2 (the stack convention); an upper-case name is a variable as given. */
function variablesFrom(sets) {
  const variables = {}
  for (const item of sets) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw usage(`--set expects service=tag or VAR=value, got "${item}".`)
    const key = item.slice(0, eq)
    const value = item.slice(eq + 1)
    const name = /^[A-Z_][A-Z0-9_]*$/.test(key) ? key : `${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TAG`
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usage(`"${key}" is not a service or variable name.`)
    variables[name] = value
  }
  return variables
}

function loadConfig(flags) {
  let fileConfig = {}
  const dir = process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config')
  const file = path.join(dir, 'traider', 'config.json')
  let stat
  try {
    stat = statSync(file)
  } catch {
    stat = null
  }
  if (stat) {
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new CliError(`${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}): it holds your API token. Run "chmod 600 ${file}" and retry.`, EXIT.usage)
    }
    try {
      fileConfig = JSON.parse(readFileSync(file, 'utf8'))
    } catch (error) {
      throw new CliError(`${file} is not valid JSON (${error.message}).`, EXIT.usage)
    }
  }
  const url = flags.url || process.env.TRAIDER_URL || fileConfig.url
  const token = process.env.TRAIDER_TOKEN || fileConfig.token
  if (!url) throw usage('No control plane URL: set TRAIDER_URL or "url" in ~/.config/traider/config.json.')
  if (!token) throw usage('No API token: set TRAIDER_TOKEN or "token" in ~/.config/traider/config.json (create one in Settings → API tokens).')
  return { url: url.replace(/\/+$/, ''), token }
}

/** HTTP status of a refused request → exit code. */
function exitForStatus(status) {
  if (status === 400 || status === 404) return EXIT.usage
  if (status === 403 || status === 409 || status === 422) return EXIT.refused
  return EXIT.failed
}

function client(config) {
  return async function call(method, pathname, body, headers = {}) {
    let res
    try {
      res = await fetch(`${config.url}/api/v1${pathname}`, {
        method,
        headers: { authorization: `Bearer ${config.token}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      })
    } catch (error) {
      throw new CliError(`Cannot reach ${config.url} (${error.cause?.code ?? error.message}): check TRAIDER_URL and that the control plane is running.`, EXIT.failed)
    }
    const text = await res.text()
    let data
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      data = null
    }
    if (!res.ok) {
      const detail = data?.detail ?? `${res.status} ${res.statusText}`
      const retry = res.headers.get('retry-after')
      throw new CliError(`${detail}${retry && !detail.includes('wait') ? ` (retry after ${retry} s)` : ''}`, exitForStatus(res.status))
    }
    return data
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const words = (status) => status.toLowerCase().replace(/_/g, ' ')

async function follow(call, id, flags, log) {
  const timeoutMs = Number(flags.timeout ?? 1800) * 1000
  const intervalMs = Number(flags.interval ?? 1000)
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usage('--timeout must be a positive number of seconds.')
  const deadline = Date.now() + timeoutMs
  const seenSteps = new Map()
  let lastStatus = ''
  const started = Date.now()
  for (;;) {
    const d = await call('GET', `/deployments/${encodeURIComponent(id)}`)
    if (d.status !== lastStatus) {
      log(`  ${Math.round((Date.now() - started) / 1000)}s  #${d.number} ${words(d.status)}`)
      lastStatus = d.status
    }
    for (const step of d.steps) {
      const key = `${step.name}:${step.status}`
      if (!seenSteps.has(key)) {
        seenSteps.set(key, true)
        log(`        step ${step.name}: ${words(step.status)}`)
      }
    }
    if (d.status in TERMINAL) return d
    if (Date.now() > deadline) throw new CliError(`Gave up waiting after ${timeoutMs / 1000} s: deployment #${d.number} is still ${words(d.status)}. It goes on; check it with "traider status ${d.environment.slug}".`, EXIT.failed)
    await sleep(intervalMs)
  }
}

async function afterRequest(call, created, env, flags, out) {
  const { log, result } = out
  if (!created.queued) {
    log(`Deployment #${created.number} (release ${created.releaseNumber}) on ${env} is waiting: ${created.approval}. Approvers decide in the portal (Approvals).`)
    return result({ ...created, status: 'REQUESTED' }, EXIT.refused)
  }
  log(`Deployment #${created.number} (release ${created.releaseNumber}) on ${env} is queued (${created.approval}).`)
  if (!flags.wait) return result(created, EXIT.ok)
  const final = await follow(call, created.id, flags, log)
  const code = TERMINAL[final.status]
  log(code === EXIT.ok ? `Deployment #${final.number} succeeded.` : `Deployment #${final.number} ${words(final.status)}${final.outcome ? `: ${final.outcome}` : '.'}`)
  return result({ id: final.id, number: final.number, status: final.status, outcome: final.outcome }, code)
}

async function main(argv) {
  const { positional, flags } = parseArgs(argv)
  if (flags.help || positional.length === 0 || positional[0] === 'help') {
    console.log(HELP)
    return flags.help || positional[0] === 'help' ? EXIT.ok : EXIT.usage
  }
  const [command, ...rest] = positional
  const json = Boolean(flags.json)
  const log = json ? () => {} : (line) => console.log(line)
  const result = (value, code) => {
    if (json) console.log(JSON.stringify(value, null, 2))
    return code
  }
  const needEnv = () => {
    if (rest.length !== 1) throw usage(`"traider ${command}" takes one environment slug, e.g. "traider ${command} staging".`)
    return rest[0]
  }

  switch (command) {
    case 'deploy': {
      const env = needEnv()
      const variables = variablesFrom(flags.set)
      const bake = flags.bake === undefined ? undefined : Number(flags.bake)
      if (bake !== undefined && !Number.isInteger(bake)) throw usage('--bake is a whole number of seconds.')
      const call = client(loadConfig(flags))
      // One key per invocation: a retried request after a dropped connection cannot deploy twice.
      const created = await call('POST', `/environments/${encodeURIComponent(env)}/deployments`, { variables, ...(bake !== undefined && { bakeSeconds: bake }) }, { 'idempotency-key': randomUUID() })
      return afterRequest(call, created, env, flags, { log, result })
    }
    case 'rollback': {
      const env = needEnv()
      if (flags.emergency && !flags.reason) throw usage('--emergency needs --reason "<what is wrong>": it is recorded as break-glass.')
      if (flags.reason && !flags.emergency) throw usage('--reason goes with --emergency.')
      const to = flags.to === undefined ? undefined : Number(flags.to)
      if (to !== undefined && !(Number.isInteger(to) && to > 0)) throw usage('--to takes a release number, e.g. --to 41.')
      if (flags.emergency && to !== undefined) throw usage('An emergency rollback always goes to the last successful release: drop --to.')
      const call = client(loadConfig(flags))
      const bake = flags.bake === undefined ? undefined : Number(flags.bake)
      if (bake !== undefined && !Number.isInteger(bake)) throw usage('--bake is a whole number of seconds.')
      const body = {
        ...(flags.emergency ? { emergency: true, reason: flags.reason } : to !== undefined && { toReleaseNumber: to }),
        ...(bake !== undefined && { bakeSeconds: bake }),
      }
      const created = await call('POST', `/environments/${encodeURIComponent(env)}/rollback`, body)
      return afterRequest(call, created, env, flags, { log, result })
    }
    case 'status': {
      const env = needEnv()
      const call = client(loadConfig(flags))
      const environment = await call('GET', `/environments/${encodeURIComponent(env)}`)
      const deployments = await call('GET', `/deployments?environment=${encodeURIComponent(env)}&limit=5`)
      const current = deployments.items.find((d) => d.status === 'SUCCEEDED')
      const active = deployments.items.find((d) => !(d.status in TERMINAL))
      log(`${environment.name} (${environment.slug}, ${environment.tier.toLowerCase()})`)
      log(`  engine:   ${environment.lastCheck ? `${words(environment.lastCheck.status)}${environment.lastCheck.error ? ` — ${environment.lastCheck.error}` : ''}` : 'not checked yet'}`)
      log(`  current:  ${current ? `release ${current.release.number} (deployment #${current.number}, ${current.finishedAt})` : 'no successful deployment in the last 5'}`)
      if (active) log(`  active:   #${active.number} ${words(active.kind)} ${words(active.status)}`)
      log('  recent:')
      for (const d of deployments.items) log(`    #${d.number}  ${words(d.kind).padEnd(18)} ${words(d.status).padEnd(12)} release ${d.release.number}  ${d.requestedAt}`)
      if (deployments.items.length === 0) log('    (none yet)')
      return result({ environment, deployments: deployments.items }, EXIT.ok)
    }
    case 'backup': {
      const env = needEnv()
      const kind = (flags.kind ?? 'auto').toUpperCase()
      if (!['FULL', 'INCREMENTAL', 'AUTO'].includes(kind)) throw usage('--kind is full, incremental or auto.')
      const call = client(loadConfig(flags))
      const started = await call('POST', `/environments/${encodeURIComponent(env)}/backups`, { kind })
      log(`Backup ${started.id} (${started.kind.toLowerCase()}) of ${env} started.`)
      if (!flags.wait) return result(started, EXIT.ok)
      const timeoutMs = Number(flags.timeout ?? 1800) * 1000
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const backups = await call('GET', `/environments/${encodeURIComponent(env)}/backups`)
        const backup = backups.find((b) => b.id === started.id)
        if (backup && backup.status !== 'RUNNING') {
          log(backup.status === 'SUCCEEDED' ? `Backup ${backup.id} succeeded (${backup.sizeBytes ?? '?'} bytes, sha256 ${backup.sha256 ?? '—'}).` : `Backup ${backup.id} ${words(backup.status)}${backup.error ? `: ${backup.error}` : '.'}`)
          return result(backup, backup.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed)
        }
        if (Date.now() > deadline) throw new CliError(`Gave up waiting after ${timeoutMs / 1000} s: backup ${started.id} is still running.`, EXIT.failed)
        await sleep(Number(flags.interval ?? 1000))
      }
    }
    case 'audit': {
      if (rest[0] !== 'verify' || rest.length !== 1) throw usage('Use "traider audit verify".')
      const call = client(loadConfig(flags))
      const report = await call('POST', '/audit/verify')
      if (report.ok) log(`Audit chain intact: ${report.checked} events checked in ${report.durationMs} ms.`)
      else log(`Audit chain BROKEN at event ${report.brokenAt}: ${report.reason} (${report.checked} events checked).`)
      return result(report, report.ok ? EXIT.ok : EXIT.failed)
    }
    default:
      throw usage(`Unknown command "${command}".`)
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    if (error instanceof CliError) {
      console.error(`traider: ${error.message}`)
      process.exitCode = error.exitCode
    } else {
      console.error(`traider: unexpected error: ${error?.stack ?? error}`)
      process.exitCode = EXIT.failed
    }
  },
)
