// The offline behaviour lives with the Discord adapter now (DiscordRolesLive picks it when DISCORD_TOKEN is unset).
export { DiscordRolesOffline } from "../adapters/discord/index.js"
