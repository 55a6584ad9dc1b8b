import type { MemberLevel } from "../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import type { Deny } from "./stages.js"

/** A registry command with what the guardrail derives from it once, instead of on every call. */
export interface GuardedCommand {
  readonly resolved: ResolvedCommand
  /** LEVEL_TOO_LOW depends only on the command and the member's level: built once per pair. */
  readonly levelDenials: Map<MemberLevel, Deny>
}

interface Node {
  command: GuardedCommand | undefined
  readonly children: Map<string, Node>
}

export type CommandSource = Pick<FeatureRegistryService, "commands">

const indexes = new WeakMap<CommandSource, Map<string, Node>>()

const build = (registry: CommandSource): Map<string, Node> => {
  const root = new Map<string, Node>()
  for (const resolved of registry.commands) {
    let nodes = root
    let node: Node | undefined
    for (const segment of resolved.path) {
      node = nodes.get(segment)
      if (node === undefined) {
        node = { command: undefined, children: new Map() }
        nodes.set(segment, node)
      }
      nodes = node.children
    }
    if (node !== undefined) node.command = { resolved, levelDenials: new Map() }
  }
  return root
}

/**
 * The registry's command at `path`, found segment by segment: the registry's
 * own lookup joins the path into a string, which costs more than the rest of
 * a decision. The index is built once per registry (it is immutable).
 */
export const findCommand = (registry: CommandSource, path: ReadonlyArray<string>): GuardedCommand | undefined => {
  let nodes = indexes.get(registry)
  if (nodes === undefined) {
    nodes = build(registry)
    indexes.set(registry, nodes)
  }
  let node: Node | undefined
  for (let i = 0; i < path.length; i++) {
    node = nodes.get(path[i]!)
    if (node === undefined) return undefined
    nodes = node.children
  }
  return node?.command
}
