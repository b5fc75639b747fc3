// Reads the engine's answers about containers (inspect, list, logs) into the StackRuntime's
// small types. Pure: the shapes below are the parts of Docker API 1.41 answers we use.
import type { ContainerHealth, ContainerState, ContainerStatus, PublishedPort, StackContainerSummary } from './ports'
import { STACK_LABELS } from './service-spec-to-docker'

export type InspectAnswer = {
  Id: string
  Name: string
  Image: string
  Created?: string
  RestartCount?: number
  State: {
    Status: string
    ExitCode: number
    StartedAt: string
    FinishedAt: string
    Error?: string
    OOMKilled?: boolean
    Health?: { Status: string; FailingStreak?: number; Log?: Array<{ ExitCode: number; Output: string }> | null }
  }
  Config: { Image: string; Labels?: Record<string, string> | null }
}

export type ListAnswer = {
  Id: string
  Names: string[]
  Image: string
  ImageID: string
  Created: number
  State: string
  Status: string
  Labels: Record<string, string> | null
  Ports: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>
}

const STATES: readonly ContainerState[] = ['created', 'running', 'restarting', 'paused', 'exited', 'removing', 'dead']
const HEALTHS: readonly ContainerHealth[] = ['starting', 'healthy', 'unhealthy']

function toState(value: string): ContainerState {
  return (STATES as readonly string[]).includes(value) ? (value as ContainerState) : 'dead'
}

/** The engine writes "0001-01-01T00:00:00Z" for "never". */
function toDate(value: string | undefined): Date | null {
  if (!value || value.startsWith('0001-')) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

export function toContainerStatus(answer: InspectAnswer): ContainerStatus {
  const health = answer.State.Health?.Status
  return {
    id: answer.Id,
    name: answer.Name.replace(/^\//, ''),
    state: toState(answer.State.Status),
    health: health && (HEALTHS as readonly string[]).includes(health) ? (health as ContainerHealth) : 'none',
    exitCode: answer.State.ExitCode,
    restartCount: answer.RestartCount ?? 0,
    startedAt: toDate(answer.State.StartedAt),
    finishedAt: toDate(answer.State.FinishedAt),
    labels: answer.Config.Labels ?? {},
    image: answer.Config.Image,
    imageId: answer.Image,
  }
}

/** The newest health check's output, trimmed, with its exit code: what an operator reads first. */
export function lastHealthOutput(answer: InspectAnswer): string | null {
  const log = answer.State.Health?.Log ?? []
  const last = log[log.length - 1]
  if (!last) return null
  const output = last.Output.trim().split('\n').slice(-5).join(' | ')
  return `health check exited ${last.ExitCode}${output ? `: ${output}` : ' with no output'}`
}

/** `docker ps` folds health into Status: "Up 3 seconds (healthy)", "(health: starting)", "(unhealthy)". */
export function healthFromStatusText(status: string): ContainerHealth {
  if (/\(health: starting\)/.test(status)) return 'starting'
  if (/\(unhealthy\)/.test(status)) return 'unhealthy'
  if (/\(healthy\)/.test(status)) return 'healthy'
  return 'none'
}

export function toStackContainerSummary(answer: ListAnswer): StackContainerSummary {
  const labels = answer.Labels ?? {}
  const ports: PublishedPort[] = answer.Ports.filter((port) => port.PublicPort !== undefined).map((port) => ({
    hostIp: port.IP ?? '',
    hostPort: port.PublicPort as number,
    containerPort: port.PrivatePort,
    protocol: port.Type,
  }))
  return {
    id: answer.Id,
    name: (answer.Names[0] ?? '').replace(/^\//, ''),
    service: labels[STACK_LABELS.service] ?? '',
    configHash: labels[STACK_LABELS.configHash] ?? labels[STACK_LABELS.composeConfigHash] ?? null,
    deploymentId: labels[STACK_LABELS.deployment] ?? null,
    state: toState(answer.State),
    health: healthFromStatusText(answer.Status),
    ports,
    createdAt: new Date(answer.Created * 1000),
    image: labels[STACK_LABELS.image] ?? answer.Image,
    imageId: answer.ImageID,
    labels,
  }
}

/**
 * Docker's multiplexed log stream (no TTY): frames of an 8-byte header — stream type (1 stdout,
 * 2 stderr), 3 zero bytes, big-endian length — then the payload. Lines come back in stored
 * order; a line split over frames is joined per stream, so stdout and stderr never mix in one
 * line. A buffer that does not start with a valid header (a TTY container) is read as plain text.
 */
export function demultiplexLogLines(buffer: Buffer): string[] {
  const lines: string[] = []
  // Split on the newline byte before decoding, so a character cut between frames stays whole.
  const pending = new Map<number, Buffer>()
  const push = (bytes: Buffer) => lines.push(...bytes.toString('utf8').split('\n').map((line) => line.replace(/\r$/, '')))
  const take = (stream: number, bytes: Buffer) => {
    const joined = Buffer.concat([pending.get(stream) ?? Buffer.alloc(0), bytes])
    const end = joined.lastIndexOf(0x0a)
    if (end >= 0) push(joined.subarray(0, end))
    pending.set(stream, joined.subarray(end + 1))
  }
  let offset = 0
  while (offset < buffer.length) {
    const type = buffer[offset]
    if (offset + 8 > buffer.length || (type !== 0 && type !== 1 && type !== 2) || buffer.readUIntBE(offset + 1, 3) !== 0) {
      take(-1, buffer.subarray(offset))
      break
    }
    const length = buffer.readUInt32BE(offset + 4)
    take(type, buffer.subarray(offset + 8, offset + 8 + length))
    offset += 8 + length
  }
  for (const rest of pending.values()) if (rest.length > 0) push(rest)
  return lines
}

/** The exit code of the last `die` event in the engine's event stream (one JSON object a line), if any. */
export function lastExitCodeOfDieEvents(text: string): number | undefined {
  let code: number | undefined
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const parsed = Number((JSON.parse(line) as { Actor?: { Attributes?: { exitCode?: string } } }).Actor?.Attributes?.exitCode)
      if (Number.isInteger(parsed)) code = parsed
    } catch {
      // a partial line: ignore it
    }
  }
  return code
}

/**
 * Why a container that should have become healthy did not: exited, restarting, or restarted while
 * we waited (with the crash's exit code from the event log, when known), OOM, and its last log lines.
 */
export function exitedDetail(status: ContainerStatus, answer: InspectAnswer, lines: string[], restartsSeen: number, crashExitCode: number | undefined): string {
  const code = crashExitCode === undefined ? '' : ` (exit code ${crashExitCode})`
  const how =
    status.state === 'exited' || status.state === 'dead'
      ? `exited with code ${status.exitCode}`
      : status.state === 'restarting'
        ? `crashed (exit code ${status.exitCode}) and is being restarted by its restart policy`
        : `crashed${code} and was restarted ${restartsSeen === 1 ? 'once' : `${restartsSeen} times`} while we waited`
  const oom = answer.State.OOMKilled ? ' after running out of memory (OOM-killed): raise deploy.resources.limits.memory' : ''
  const engineError = answer.State.Error ? ` (${answer.State.Error})` : ''
  const tail = lines.length > 0 ? `; last log lines:\n${lines.join('\n')}` : '; it logged nothing'
  return `${status.name} ${how}${oom}${engineError}${tail}`
}
