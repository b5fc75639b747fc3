// A file writer that computes the SHA-256 and size of what passes through it, so a dump is
// hashed while it streams out of pg_dump rather than read back afterwards.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { Transform } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'

export type ChecksumSink = {
  /** Write pg_dump's stdout here. */
  stream: NodeJS.WritableStream
  /** Ends the file and resolves with its digest once everything is on disk. */
  close(): Promise<{ sha256: string; sizeBytes: number }>
}

export function checksumFileSink(file: string): ChecksumSink {
  const hash = createHash('sha256')
  let size = 0
  const out = createWriteStream(file, { mode: 0o600 })
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      size += chunk.length
      done(null, chunk)
    },
  })
  const piped = pipeline(tap, out)
  let closing: Promise<{ sha256: string; sizeBytes: number }> | null = null
  return {
    stream: tap,
    close() {
      closing ??= (async () => {
        tap.end()
        await piped
        await finished(out)
        return { sha256: hash.digest('hex'), sizeBytes: size }
      })()
      return closing
    },
  }
}

/** SHA-256 and size of a file on the worker host, read in a stream. */
export async function sha256OfFile(file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), sizeBytes: size }
}
