'use client'
// True once React has hydrated the page in the browser. Forms that hold credentials keep their
// submit button disabled until then: a submit before hydration would be the browser's native
// one, which must never carry a password anywhere (see the forms' method="post").
import { useSyncExternalStore } from 'react'

const subscribe = () => () => {}

export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  )
}
