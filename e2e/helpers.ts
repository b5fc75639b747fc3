// Shared e2e helpers: screenshots at the two widths STYLE.md asks for, and sign-in.
import { expect, type Page } from '@playwright/test'

export const WIDTHS = [1440, 390] as const

/**
 * Saves e2e/screenshots/<name>-<width>.png at each width, restoring the desktop size. The
 * whole page from the top, except while a dialog is open: then what the person sees (a
 * full-page capture would draw the modal overlay over the first screen only).
 */
export async function screenshotBoth(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
    await page.waitForLoadState('networkidle')
    const modalOpen = (await page.locator('[role="dialog"]:visible, [role="alertdialog"]:visible').count()) > 0
    if (!modalOpen) await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: `e2e/screenshots/${name}-${width}.png`, fullPage: !modalOpen })
  }
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** Fills and submits the sign-in form; unless told the attempt should fail, waits until it lands. */
export async function signIn(page: Page, email: string, password: string, { expectFailure = false } = {}) {
  await page.goto('/login')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (!expectFailure) await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  // A credential must never end up in a URL (browser history, proxy and server logs).
  if (/password=|email=/.test(page.url())) throw new Error(`sign-in put credentials into the URL: ${page.url().replace(/password=[^&]*/, 'password=…')}`)
}

export function env(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run the e2e tests through \`npx tsx e2e/run.ts\` (npm run test:e2e)`)
  return value
}

export async function expectNoConsoleErrors(page: Page, run: () => Promise<void>) {
  const errors: string[] = []
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') errors.push(m.text())
  }
  page.on('console', onConsole)
  await run()
  page.off('console', onConsole)
  // CSP violations and hydration failures show up as console errors.
  expect(errors.filter((e) => !e.includes('401') && !e.includes('403'))).toEqual([])
}
