import { type Context, Effect, Layer } from "effect"

/** The service's name without the module prefix of its tag's key ("core/StripeGateway" → "StripeGateway"). */
const serviceName = (key: string) => key.slice(key.lastIndexOf("/") + 1)

/**
 * A member the test did not implement: both a function and an Effect (a
 * service's members are either), dying with the member's name when called
 * or run, so a test that reaches it says what it forgot to stub.
 */
const unimplemented = (service: string, member: string) => {
  const dead = Effect.dieMessage(`${service}.${member} is not implemented in this test`)
  const call = () => dead
  Object.assign(call, dead)
  Object.setPrototypeOf(call, Object.getPrototypeOf(dead))
  return call
}

/**
 * A layer of `tag` from the members a test uses; every other member dies
 * naming itself (e.g. "StripeGateway.portal is not implemented in this
 * test"). Modelled on Effect-TS/examples' http-server `makeTestLayer`.
 */
export const makeTestLayer = <I, S extends object>(tag: Context.Tag<I, S>) => (service: Partial<S>): Layer.Layer<I> =>
  Layer.succeed(
    tag,
    new Proxy(service as S, {
      get: (target, member) =>
        member in target
          ? target[member as keyof S]
          // Symbols and `then` are how printers and `await` probe a value, not members a test forgot.
          : typeof member === "symbol" || member === "then"
          ? undefined
          : unimplemented(serviceName(tag.key), member)
    })
  )
