/**
 * The pages a payment provider sends a person's browser back to, and the one
 * place their paths are written: PagesApi serves them, and every checkout or
 * portal link the server hands a provider points at them.
 */
export const returnPaths = {
  checkoutDone: "/checkout/done",
  checkoutCanceled: "/checkout/canceled",
  portalClosed: "/billing/portal/closed"
} as const

export interface ReturnLinks {
  readonly successUrl: string
  readonly cancelUrl: string
  readonly portalReturnUrl: string
}

/** The return links on the public site at `publicUrl` (no trailing slash). */
export const returnLinksOf = (publicUrl: string): ReturnLinks => ({
  successUrl: `${publicUrl}${returnPaths.checkoutDone}`,
  cancelUrl: `${publicUrl}${returnPaths.checkoutCanceled}`,
  portalReturnUrl: `${publicUrl}${returnPaths.portalClosed}`
})
