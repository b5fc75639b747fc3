// Damages a file the way storage does: one byte in its middle, XORed with `mask`, in place.
import { open } from 'node:fs/promises'

export async function flipMiddleByte(file: string, mask = 0xff): Promise<void> {
  const handle = await open(file, 'r+')
  try {
    const at = Math.floor((await handle.stat()).size / 2)
    const byte = Buffer.alloc(1)
    await handle.read(byte, 0, 1, at)
    byte[0] ^= mask
    await handle.write(byte, 0, 1, at)
  } finally {
    await handle.close()
  }
}
