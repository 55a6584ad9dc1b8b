/**
 * Discord permission bits (https://discord.com/developers/docs/topics/permissions),
 * the ones features and the guardrail name. Bits are bigint: the set is wider than 32 bits.
 */
export const Permission = {
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  MentionEveryone: 1n << 17n,
  ManageRoles: 1n << 28n,
  ModerateMembers: 1n << 40n
} as const

export type PermissionName = keyof typeof Permission

/** Whether `granted` holds every bit of `required`. Administrator implies every permission. */
export const hasPermissions = (granted: bigint, required: bigint): boolean =>
  (granted & Permission.Administrator) !== 0n || (granted & required) === required

/** The bits of `required` that `granted` lacks (none when `granted` has Administrator). */
export const missingPermissions = (granted: bigint, required: bigint): bigint =>
  (granted & Permission.Administrator) !== 0n ? 0n : required & ~granted

const names = Object.entries(Permission) as ReadonlyArray<readonly [PermissionName, bigint]>

/** Human names of the known bits, e.g. ["Manage Roles"], for denial messages; unknown bits as "bit N". */
export const permissionNames = (bits: bigint): ReadonlyArray<string> => {
  const known = names.filter(([, bit]) => (bits & bit) !== 0n).map(([name]) =>
    name.replace(/(?<=[a-z])(?=[A-Z])/g, " ")
  )
  const unknownBits = names.reduce((rest, [, bit]) => rest & ~bit, bits)
  const unknown: Array<string> = []
  for (let bit = 0n; unknownBits >> bit !== 0n; bit++) if ((unknownBits >> bit) & 1n) unknown.push(`bit ${bit}`)
  return [...known, ...unknown]
}
