/**
 * Provider credentials are stored encrypted (AES-256-GCM). The key comes from
 * MIMAMORI_SECRET_KEY (32 bytes, base64) or, for a single self-hosted machine, a
 * key file created once in the data directory with mode 0600. Several processes
 * on several machines must share MIMAMORI_SECRET_KEY.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("the secret key must be 32 bytes (base64 in MIMAMORI_SECRET_KEY)");
    this.#key = key;
  }

  static fromConfig(secretKey: string | undefined, dataDir: string): SecretBox {
    if (secretKey) return new SecretBox(Buffer.from(secretKey, "base64"));
    const file = join(dataDir, "secret-key");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      // Written whole to a private temporary file, then linked into place: link()
      // fails with EEXIST when another process got there first, and then its key
      // (complete, never half-written) is the one everybody reads.
      const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
      writeFileSync(temporary, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(temporary, 0o600);
      try {
        linkSync(temporary, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      } finally {
        unlinkSync(temporary);
      }
    }
    return new SecretBox(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
  }

  /** A key for one purpose (e.g. signing links), derived so the master key itself is never used twice. */
  derive(purpose: string): Buffer {
    return createHmac("sha256", this.#key).update(`mimamori:${purpose}`).digest();
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return `v1.${iv.toString("base64")}.${cipher.getAuthTag().toString("base64")}.${body.toString("base64")}`;
  }

  open<T>(sealed: string): T {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== "v1") throw new Error("unknown secret format");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    const text = Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
    return JSON.parse(text) as T;
  }
}
