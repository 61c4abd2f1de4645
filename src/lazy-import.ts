/**
 * A module loaded on its first use and kept. The providers' SDKs and the xlsx
 * library weigh some 20–35 MB of resident memory each once loaded (Twilio,
 * ExcelJS, nodemailer, MQTT), and an organisation that calls nobody, mails
 * nobody and never opens a spreadsheet needs none of them: loaded at start-up
 * they kept the service over its 300 MB budget at 100,000 members (issue 9 §8).
 * A failed load is not kept, so the next use tries again.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}
