import ipaddr from "ipaddr.js"
import { Option } from "effect"

/**
 * Cloud metadata endpoints, refused by name: most sit in ranges refused anyway, but Azure's WireServer is
 * public unicast, and naming them all keeps the refusal's reason plain.
 */
export const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  "169.254.169.254", // AWS, GCP, Azure IMDS, OpenStack, DigitalOcean, Oracle (v2)
  "169.254.170.2", // AWS ECS task metadata
  "fd00:ec2::254", // AWS IMDS over IPv6
  "100.100.100.200", // Alibaba Cloud
  "168.63.129.16", // Azure WireServer
  "192.0.0.192" // Oracle Cloud (v1)
])

const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "shared (carrier-grade NAT)",
  private: "private",
  uniqueLocal: "unique-local",
  reserved: "reserved"
}

/** NAT64's well-known prefix carries an IPv4 address in its last 32 bits: judged by that address. */
const NAT64 = ipaddr.IPv6.parseCIDR("64:ff9b::/96")
/** Deprecated IPv4-compatible IPv6 (`::a.b.c.d`), which the library counts as unicast. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96")

const stripBrackets = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host)

/** Whether `host` (a URL hostname, brackets allowed) is an IP address rather than a name to resolve. */
export const isIpLiteral = (host: string): boolean => {
  const bare = stripBrackets(host)
  return ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare)
}

/**
 * Why `address` may not be reached on the strength of `*` alone, or none when it is public unicast.
 * IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
export const whyNotPublic = (address: string): Option.Option<string> => {
  const bare = stripBrackets(address)
  if (!ipaddr.isValid(bare)) return Option.some("not an IP address")
  const parsed = ipaddr.process(bare)
  if (METADATA_ADDRESSES.has(parsed.toString())) return Option.some("cloud metadata")
  if (parsed instanceof ipaddr.IPv6 && parsed.match(NAT64)) {
    return whyNotPublic(ipaddr.fromByteArray(parsed.toByteArray().slice(12)).toString())
  }
  const range = parsed.range()
  if (range !== "unicast") return Option.some(RANGE_NAMES[range] ?? `special-purpose (${range})`)
  if (parsed instanceof ipaddr.IPv6 && parsed.match(IPV4_COMPATIBLE)) return Option.some("IPv4-compatible (deprecated)")
  return Option.none()
}
