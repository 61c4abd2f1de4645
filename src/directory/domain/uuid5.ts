/**
 * Name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1 of namespace + name), so a
 * shipped taxonomy term or an exported record without a row of its own keeps the
 * same id in every installation and every export.
 */
import { createHash } from "node:crypto";

/** RFC 9562 appendix C: the URL namespace. */
export const NAMESPACE_URL = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** The version-5 UUID of `name` in `namespace` (a UUID string), lower-case. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const bytes = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
