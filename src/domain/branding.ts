/**
 * Branding (設定 → 名称・規約): the service name members read and the logo or top
 * image they see. Pure: the rules for both, no IO.
 *
 * - The service name replaces 見守り / Mimamori wherever members read the
 *   service's name: the 【見守り】 prefix of LINE, SMS and e-mail texts (and its
 *   English `[Mimamori]`), e-mail subjects and the sender's name when the SMTP
 *   settings name none, and the check-in page's title and header. Unset: the
 *   defaults below.
 * - A logo is a PNG, JPEG or WebP image of at most MAX_LOGO_BYTES, recognised by
 *   its first bytes (never by the name or the declared type: a renamed SVG or
 *   HTML file is refused).
 */

/** The service's name when the organisation set none (Japanese, English). */
export const DEFAULT_SERVICE_NAME = { ja: "見守り", en: "Mimamori" } as const;
/** Longest service name (characters): it prefixes every message, LINE alt texts and SMS segments are short. */
export const MAX_SERVICE_NAME_LENGTH = 30;
/** Largest logo accepted (bytes): it is served on an old phone's check-in page. */
export const MAX_LOGO_BYTES = 512 * 1024;

export const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** The image type the bytes start with (PNG, JPEG or WebP signatures), or undefined for anything else. */
export function logoTypeOf(bytes: Uint8Array): LogoType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (bytes.length >= 8 && starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (bytes.length >= 3 && starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF <size> WEBP
  if (bytes.length >= 12 && starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return undefined;
}

export type LogoProblem = "logo_empty" | "logo_too_large" | "logo_type";

/** Why these bytes cannot be a logo, or undefined when they can. */
export function logoProblem(bytes: Uint8Array): LogoProblem | undefined {
  if (bytes.length === 0) return "logo_empty";
  if (bytes.length > MAX_LOGO_BYTES) return "logo_too_large";
  if (!logoTypeOf(bytes)) return "logo_type";
  return undefined;
}

/** The names to show: the organisation's service name in both languages, or the defaults. */
export function serviceNames(serviceName: string | null | undefined): { ja: string; en: string } {
  const name = serviceName?.trim();
  return name ? { ja: name, en: name } : { ...DEFAULT_SERVICE_NAME };
}

const PREFIX_JA = `【${DEFAULT_SERVICE_NAME.ja}】`;
const PREFIX_EN = `[${DEFAULT_SERVICE_NAME.en}]`;

/**
 * A message's text with the organisation's service name in its prefixes: each
 * line that starts with 【見守り】 or [Mimamori] gets 【<name>】 / [<name>].
 * Nothing else of the text changes (a sentence that says 見守り keeps it: it is
 * what the service does, not its name). Unset name: the text as it is.
 */
export function brandText(text: string, serviceName: string | null | undefined): string {
  const name = serviceName?.trim();
  if (!name || name === DEFAULT_SERVICE_NAME.ja) return text;
  return text.split("\n").map((line) => line.startsWith(PREFIX_JA) ? `【${name}】${line.slice(PREFIX_JA.length)}`
    : line.startsWith(PREFIX_EN) ? `[${name}]${line.slice(PREFIX_EN.length)}` : line).join("\n");
}
