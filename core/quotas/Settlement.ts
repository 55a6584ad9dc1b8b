/**
 * What committing a reservation at `amount` counts, given the counter's
 * `used` (which includes the `held` balance) and the limit the hold was taken
 * under. A smaller amount gives the difference back. A larger one grows the
 * counter to at most the limit, but never settles below the hold: the held
 * balance was already counted, even if other usage has since filled the
 * counter past a limit that was lowered. Unlimited counters settle anything.
 */
export const settledAmount = (
  counter: { readonly used: number; readonly held: number; readonly limit: number },
  amount: number
): number => {
  if (amount <= counter.held || counter.limit < 0) return amount
  const roomBesidesHold = counter.limit - (counter.used - counter.held)
  return Math.max(counter.held, Math.min(amount, roomBesidesHold))
}
