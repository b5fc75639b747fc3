// The docker-exec CommandRunner against a real container of the busybox fixture image:
// streaming stdout out (checksummed), exit codes, stderr, a missing program, and stdin.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dockerCli, ensureFixtureImages } from '@/test/docker-fixtures'
import { unique } from '@/test/factories'
import { dockerExecRunner } from './docker-exec-runner'
import type { CommandRunner } from './ports'

const endpoint = { url: 'unix:///var/run/docker.sock' }
let runner: CommandRunner
let containerName: string
let dir: string

beforeAll(async () => {
  const images = await ensureFixtureImages()
  containerName = unique('exec-runner')
  const id = (await dockerCli(['run', '-d', '--name', containerName, '--label', 'traider.test=exec-runner', images.v1.ref])).trim()
  runner = dockerExecRunner(endpoint, { id, name: containerName })
  dir = await mkdtemp(path.join(os.tmpdir(), 'exec-runner-'))
}, 60_000)

afterAll(async () => {
  if (containerName) await dockerCli(['rm', '-f', containerName])
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('dockerExecRunner', () => {
  it('streams a 24 MiB stdout into a file byte for byte', async () => {
    const file = path.join(dir, 'zeros.bin')
    const out = createWriteStream(file)
    const result = await runner.run(['/bin/busybox', 'dd', 'if=/dev/zero', 'bs=1048576', 'count=24'], { stdout: out })
    out.end()
    await finished(out)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/24\+0 records out/)
    const data = await readFile(file)
    expect(data.length).toBe(24 * 1024 * 1024)
    expect(createHash('sha256').update(data).digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(24 * 1024 * 1024)).digest('hex'))
  }, 60_000)

  it('collects stdout, keeps stderr apart and returns the exit code', async () => {
    const result = await runner.run(['sh', '-c', 'echo out-line; echo err-line >&2; exit 3'])
    expect(result).toEqual({ exitCode: 3, stdout: 'out-line\n', stderr: 'err-line\n' })
    expect((await runner.run(['sh', '-c', 'exit 0'])).exitCode).toBe(0)
  })

  it('passes environment variables and runs as the given user', async () => {
    const result = await runner.run(['sh', '-c', 'echo "$GREETING"; echo $(cat /proc/self/status | grep ^Uid)'], { env: { GREETING: 'hello there' }, user: '10001' })
    expect(result.stdout).toMatch(/^hello there\nUid:\s+10001\s/)
  })

  it('reports a program that does not exist as a failed exec, not a hang', async () => {
    const result = await runner.run(['/no/such/program'])
    expect(result.exitCode).toBeGreaterThanOrEqual(126)
    expect(result.stdout + result.stderr).toMatch(/no such file|not found/i)
  })

  it('feeds a stream to the command\'s stdin and ends it, byte for byte', async () => {
    const local = path.join(dir, 'upload.bin')
    const content = randomBytes(70_000)
    await writeFile(local, content)
    const back = path.join(dir, 'back.bin')
    const out = createWriteStream(back)
    const result = await runner.run(['sh', '-c', 'cat > /tmp/upload.bin && cat /tmp/upload.bin'], { stdin: createReadStream(local), stdout: out, user: '10001' })
    out.end()
    await finished(out)
    expect(result).toMatchObject({ exitCode: 0, stderr: '' })
    expect((await readFile(back)).equals(content)).toBe(true)
  })
})
