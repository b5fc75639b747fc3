// The dockerode adapter against the real local engine, and against local sockets that fail
// the ways remote engines do (missing socket, refused port, silent peer, HTTP error, bad TLS).
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { closedPort } from '@/test/net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resetEnvForTests } from '@/server/env'
import { dockerClient, dockerRuntime, parseDockerEndpoint } from './docker'
import { RuntimeUnreachableError } from './ports'

function dockerCli(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).trim()
}

async function expectUnreachable(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RuntimeUnreachableError)
  return (error as Error).message
}

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'traider-docker-it-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('dockerRuntime.hostFacts against the real engine', () => {
  it('reports the same facts as `docker info` / `docker version`', async () => {
    const facts = await dockerRuntime.hostFacts({ url: 'unix:///var/run/docker.sock' })
    expect(facts.cpus).toBe(Number(dockerCli('info', '--format', '{{.NCPU}}')))
    expect(facts.memoryBytes).toBe(BigInt(dockerCli('info', '--format', '{{.MemTotal}}')))
    expect(facts.os).toBe(dockerCli('info', '--format', '{{.OperatingSystem}}'))
    expect(facts.dockerVersion).toBe(dockerCli('version', '--format', '{{.Server.Version}}'))
    expect(facts.apiVersion).toBe(dockerCli('version', '--format', '{{.Server.APIVersion}}'))
    expect(facts.cpus).toBeGreaterThan(0)
    expect(facts.containersRunning).toBeGreaterThanOrEqual(0)
    expect(facts.containersTotal).toBeGreaterThanOrEqual(facts.containersRunning)
  })
})

describe('dockerRuntime.hostFacts failures, in words', () => {
  it('names a missing unix socket and says what to do', async () => {
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: 'unix:///var/run/nope.sock' }))
    expect(message).toBe(
      "Cannot reach the Docker engine at unix:///var/run/nope.sock: the socket does not exist. Start dockerd on that host, or correct the endpoint in the environment's settings.",
    )
  })

  it('reports ECONNREFUSED for a closed tcp port', async () => {
    const port = await closedPort()
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}` }))
    expect(message).toContain(`Cannot reach the Docker engine at tcp://127.0.0.1:${port}: connection refused (ECONNREFUSED)`)
    expect(message).toContain("correct the endpoint in the environment's settings")
  })

  it('names every missing TLS file when the directory is empty', async () => {
    const dir = await mkdtemp(path.join(tmp, 'empty-tls-'))
    const port = await closedPort()
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}`, tlsPath: dir }))
    expect(message).toBe(
      `TLS certificate files ${dir}/ca.pem, ${dir}/cert.pem and ${dir}/key.pem are missing: put ca.pem, cert.pem and key.pem for tcp://127.0.0.1:${port} in ${dir} (the DOCKER_CERT_PATH layout), or correct the TLS directory in the environment's settings.`,
    )
  })

  it('names the one missing TLS file', async () => {
    const dir = await mkdtemp(path.join(tmp, 'partial-tls-'))
    await writeFile(path.join(dir, 'ca.pem'), 'not a certificate')
    await writeFile(path.join(dir, 'key.pem'), 'not a key')
    const port = await closedPort()
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}`, tlsPath: dir }))
    expect(message).toMatch(new RegExp(`^TLS certificate file ${dir}/cert\\.pem is missing: `))
  })

  it('says when TLS files are present but not PEM', async () => {
    const dir = await mkdtemp(path.join(tmp, 'garbage-tls-'))
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(path.join(dir, name), 'garbage')
    const port = await closedPort()
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}`, tlsPath: dir }))
    expect(message).toContain(`The TLS files in ${dir} for tcp://127.0.0.1:${port} could not be loaded`)
    expect(message).toContain('are PEM files')
  })

  it('rejects a malformed endpoint before any connection', async () => {
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: 'tcp://127.0.0.1' }))
    expect(message).toContain('Docker endpoint "tcp://127.0.0.1" is not valid: the port is missing.')
    expect(() => parseDockerEndpoint('unix://relative.sock')).toThrow(/absolute socket path/)
    expect(() => parseDockerEndpoint('ssh://host')).toThrow(/must start with unix:\/\/ or tcp:\/\//)
    expect(parseDockerEndpoint('tcp://[::1]:2376')).toEqual({ kind: 'tcp', host: '::1', port: 2376 })
  })
})

// Small local HTTP servers standing in for an engine (the Docker API's error body is
// {"message": "..."}), or for a service that is not an engine at all.
describe('engines that answer badly', () => {
  const servers: http.Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  })
  async function serve(handler: http.RequestListener): Promise<number> {
    const server = http.createServer(handler)
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return (server.address() as net.AddressInfo).port
  }

  it('passes on the HTTP status and the engine message', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: 'layer store is corrupt' }))
    })
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}` }))
    expect(message).toBe(
      `The Docker engine at tcp://127.0.0.1:${port} answered HTTP 500: layer store is corrupt. Check the engine's log on that host (journalctl -u docker), then check again.`,
    )
  })

  it('says when the service on the port is not a Docker engine', async () => {
    const port = await serve((req, res) => {
      res.writeHead(200, { 'content-type': req.url?.includes('_ping') ? 'text/plain' : 'application/json' })
      res.end(req.url?.includes('_ping') ? 'OK' : '{}')
    })
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}` }))
    expect(message).toContain('answered, but not like a Docker engine')
  })
})

describe('a peer that accepts and never answers', () => {
  let silent: net.Server
  const sockets = new Set<net.Socket>()
  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => sockets.delete(socket))
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    process.env.DOCKER_TIMEOUT_SECONDS = '1'
    resetEnvForTests()
  })
  afterAll(async () => {
    delete process.env.DOCKER_TIMEOUT_SECONDS
    resetEnvForTests()
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve, reject) => silent.close((e) => (e ? reject(e) : resolve())))
  })

  it('gives up after DOCKER_TIMEOUT_SECONDS with "did not answer"', async () => {
    const { port } = silent.address() as net.AddressInfo
    const started = Date.now()
    const message = await expectUnreachable(dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}` }))
    const elapsed = Date.now() - started
    expect(message).toContain(`Cannot reach the Docker engine at tcp://127.0.0.1:${port}: it did not answer within 1 s.`)
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(5_000)
  })
})

describe('dockerClient', () => {
  it('caches one client per endpoint and re-reads TLS files on each call', async () => {
    const socket = { url: 'unix:///var/run/docker.sock' }
    expect(await dockerClient(socket)).toBe(await dockerClient(socket))

    const dir = await mkdtemp(path.join(tmp, 'rotating-tls-'))
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(path.join(dir, name), `${name} v1`)
    const remote = { url: 'tcp://127.0.0.1:2376', tlsPath: dir }
    const first = await dockerClient(remote)
    expect(await dockerClient(remote)).toBe(first)
    await writeFile(path.join(dir, 'cert.pem'), 'cert.pem v2')
    const rotated = await dockerClient(remote)
    expect(rotated).not.toBe(first)
    await rm(path.join(dir, 'key.pem'))
    await expect(dockerClient(remote)).rejects.toThrow(`TLS certificate file ${dir}/key.pem is missing`)
  })
})
