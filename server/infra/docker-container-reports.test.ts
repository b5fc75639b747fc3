// Reading the engine's container answers: inspect, list and the multiplexed log stream.
import { describe, expect, it } from 'vitest'
import {
  demultiplexLogLines,
  exitedDetail,
  lastExitCodeOfDieEvents,
  healthFromStatusText,
  lastHealthOutput,
  toContainerStatus,
  toStackContainerSummary,
  type InspectAnswer,
  type ListAnswer,
} from './docker-container-reports'

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

describe('demultiplexLogLines', () => {
  it('returns stdout and stderr lines in stored order', () => {
    const buffer = Buffer.concat([frame(1, 'starting\n'), frame(2, 'boom\n'), frame(1, 'done\r\n')])
    expect(demultiplexLogLines(buffer)).toEqual(['starting', 'boom', 'done'])
  })

  it('joins a line split across frames without mixing in the other stream', () => {
    const buffer = Buffer.concat([frame(1, 'hel'), frame(2, 'err\n'), frame(1, 'lo\nlast without newline')])
    expect(demultiplexLogLines(buffer)).toEqual(['err', 'hello', 'last without newline'])
  })

  it('keeps a multi-byte character cut between two frames whole', () => {
    const text = Buffer.from('prix 5€\n', 'utf8')
    const cut = text.indexOf(0xe2) + 1
    expect(demultiplexLogLines(Buffer.concat([frame(1, text.subarray(0, cut)), frame(1, text.subarray(cut))]))).toEqual(['prix 5€'])
  })

  it('reads a stream without frame headers (TTY container) as plain text, and an empty one as no lines', () => {
    expect(demultiplexLogLines(Buffer.from('plain\ntext\n'))).toEqual(['plain', 'text'])
    expect(demultiplexLogLines(Buffer.alloc(0))).toEqual([])
  })
})

const inspect = (overrides: Partial<InspectAnswer['State']> = {}): InspectAnswer => ({
  Id: 'abc',
  Name: '/trtest-web-1',
  Image: 'sha256:' + 'd'.repeat(64),
  RestartCount: 2,
  State: { Status: 'running', ExitCode: 0, StartedAt: '2024-05-01T10:00:00.123456789Z', FinishedAt: '0001-01-01T00:00:00Z', ...overrides },
  Config: { Image: 'sha256:' + 'd'.repeat(64), Labels: { a: 'b' } },
})

describe('toContainerStatus', () => {
  it('reads state, health, restarts and times; the zero time is null', () => {
    const status = toContainerStatus(inspect({ Health: { Status: 'starting', Log: [] } }))
    expect(status).toEqual({
      id: 'abc',
      name: 'trtest-web-1',
      state: 'running',
      health: 'starting',
      exitCode: 0,
      restartCount: 2,
      startedAt: new Date('2024-05-01T10:00:00.123Z'),
      finishedAt: null,
      labels: { a: 'b' },
      image: 'sha256:' + 'd'.repeat(64),
      imageId: 'sha256:' + 'd'.repeat(64),
    })
  })

  it('reports health none without a healthcheck', () => {
    expect(toContainerStatus(inspect()).health).toBe('none')
  })
})

describe('lastHealthOutput', () => {
  it('gives the newest check exit code and output', () => {
    const answer = inspect({
      Health: {
        Status: 'unhealthy',
        Log: [
          { ExitCode: 1, Output: 'old' },
          { ExitCode: 1, Output: 'wget: server returned error: HTTP/1.0 404 Not Found\n' },
        ],
      },
    })
    expect(lastHealthOutput(answer)).toBe('health check exited 1: wget: server returned error: HTTP/1.0 404 Not Found')
    expect(lastHealthOutput(inspect())).toBeNull()
  })
})

describe('list answers', () => {
  it('reads health from the status text', () => {
    expect(healthFromStatusText('Up 3 seconds (health: starting)')).toBe('starting')
    expect(healthFromStatusText('Up 3 minutes (healthy)')).toBe('healthy')
    expect(healthFromStatusText('Up 3 minutes (unhealthy)')).toBe('unhealthy')
    expect(healthFromStatusText('Exited (1) 2 seconds ago')).toBe('none')
  })

  it('summarises a stack container from its labels and published ports', () => {
    const answer: ListAnswer = {
      Id: 'abc',
      Names: ['/trtest-web-1'],
      Image: 'sha256:' + 'd'.repeat(64),
      ImageID: 'sha256:' + 'd'.repeat(64),
      Created: 1_714_557_600,
      State: 'running',
      Status: 'Up 5 seconds (healthy)',
      Labels: {
        'com.docker.compose.service': 'web',
        'com.docker.compose.config-hash': 'compose-hash',
        'traider.config-hash': 'our-hash',
        'traider.deployment': 'dep_1',
        'traider.image': 'traider-fixture:v1',
      },
      Ports: [
        { IP: '127.0.0.1', PrivatePort: 8080, PublicPort: 40123, Type: 'tcp' },
        { PrivatePort: 9090, Type: 'tcp' },
      ],
    }
    expect(toStackContainerSummary(answer)).toMatchObject({
      name: 'trtest-web-1',
      service: 'web',
      configHash: 'our-hash',
      deploymentId: 'dep_1',
      state: 'running',
      health: 'healthy',
      ports: [{ hostIp: '127.0.0.1', hostPort: 40123, containerPort: 8080, protocol: 'tcp' }],
      createdAt: new Date(1_714_557_600_000),
      image: 'traider-fixture:v1',
    })
    expect(toStackContainerSummary({ ...answer, Labels: { 'com.docker.compose.config-hash': 'compose-hash' } })).toMatchObject({
      service: '',
      configHash: 'compose-hash',
      deploymentId: null,
      image: answer.Image,
    })
  })
})

describe('exit reports', () => {
  const die = (exitCode: string) => JSON.stringify({ status: 'die', Actor: { Attributes: { exitCode } } })

  it("takes the last die event's exit code, skipping partial lines, and none without one", () => {
    expect(lastExitCodeOfDieEvents(`${die('1')}\n${die('137')}\n{"status":"di`)).toBe(137)
    expect(lastExitCodeOfDieEvents('')).toBeUndefined()
    expect(lastExitCodeOfDieEvents(die('not-a-number'))).toBeUndefined()
  })

  it('says how the container ended: exited, restarting, or restarted with the code the event log gave (or none)', () => {
    const answer = { State: { OOMKilled: false } } as InspectAnswer
    const status = (state: string, exitCode: number) => ({ name: 'web-1', state, exitCode }) as Parameters<typeof exitedDetail>[0]
    expect(exitedDetail(status('exited', 3), answer, ['boom'], 0, undefined)).toBe('web-1 exited with code 3; last log lines:\nboom')
    expect(exitedDetail(status('restarting', 1), answer, [], 0, undefined)).toBe('web-1 crashed (exit code 1) and is being restarted by its restart policy; it logged nothing')
    expect(exitedDetail(status('running', 0), answer, [], 1, 1)).toBe('web-1 crashed (exit code 1) and was restarted once while we waited; it logged nothing')
    expect(exitedDetail(status('running', 0), answer, [], 2, undefined)).toBe('web-1 crashed and was restarted 2 times while we waited; it logged nothing')
  })
})
