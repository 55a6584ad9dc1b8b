export { ArchiveCodecTarGz, entriesOf, tarOf } from "./TarGz.js"
