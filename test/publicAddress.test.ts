import { describe, expect, test } from "bun:test"
import { Option } from "effect"
import { isIpLiteral, whyNotPublic } from "../src/domain/publicAddress.ts"

const refused: ReadonlyArray<readonly [string, string]> = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["169.254.1.1", "link-local"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["100.64.0.1", "shared (carrier-grade NAT)"],
  ["192.0.2.1", "reserved"],
  ["240.0.0.1", "reserved"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["::", "unspecified"],
  ["fe80::1", "link-local"],
  ["fc00::1", "unique-local"],
  ["fd12:3456::1", "unique-local"],
  ["ff02::1", "multicast"],
  // IPv4-mapped IPv6, in both spellings, is judged as the IPv4 address it carries.
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["[::ffff:7f00:1]", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:a9fe:a9fe", "cloud metadata"],
  // NAT64 carries an IPv4 address too; the deprecated IPv4-compatible form is refused outright.
  ["64:ff9b::7f00:1", "loopback"],
  ["64:ff9b::a9fe:a9fe", "cloud metadata"],
  ["::7f00:1", "IPv4-compatible (deprecated)"],
  ["2002:7f00:1::", "special-purpose (6to4)"],
  // Cloud metadata, including Azure's WireServer, which sits in public unicast space.
  ["169.254.169.254", "cloud metadata"],
  ["169.254.170.2", "cloud metadata"],
  ["fd00:ec2::254", "cloud metadata"],
  ["fd00:ec2:0:0:0:0:0:254", "cloud metadata"],
  ["100.100.100.200", "cloud metadata"],
  ["168.63.129.16", "cloud metadata"],
  ["192.0.0.192", "cloud metadata"],
  ["not-an-address", "not an IP address"]
]

const publicOnes = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "[2606:4700:4700::1111]", "::ffff:8.8.8.8", "64:ff9b::808:808"]

describe("whyNotPublic", () => {
  test.each(refused)("%s is refused as %s", (address, reason) => {
    expect(whyNotPublic(address)).toEqual(Option.some(reason))
  })

  test.each(publicOnes)("%s is public", (address) => {
    expect(whyNotPublic(address)).toEqual(Option.none())
  })
})

describe("isIpLiteral", () => {
  test("tells URL hostnames that are addresses from names to resolve", () => {
    expect(["127.0.0.1", "[::1]", "[::ffff:7f00:1]", "8.8.8.8"].map(isIpLiteral)).toEqual([true, true, true, true])
    expect(["localhost", "localhost.", "example.com", "127.0.0.1.nip.io", "0x7f.1"].map(isIpLiteral)).toEqual([
      false,
      false,
      false,
      false,
      false
    ])
  })
})
