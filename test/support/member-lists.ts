/** Member lists as offices keep them, for the import tests (API and browser). */

export const HEADER = "番号,氏名,ふりがな,生年月日,電話番号,住所,チーム";
export const KANA = "あいうえおかきくけこさしすせそたちつてと";

/** A 20-row list (rows 2–21 of the sheet); `bad` replaces rows by their sheet row number. */
export function memberList(prefix: string, bad: Record<number, string> = {}): string {
  const lines = [HEADER];
  for (let row = 2; row <= 21; row++) {
    const n = row - 1;
    lines.push(bad[row] ?? `${prefix}-${String(n).padStart(3, "0")},髙橋 ${n}郎,たかはし ${KANA[n - 1]}ろう,昭和${10 + n}年4月${n}日,03-5555-${String(1000 + n)},東京都千代田区①丁目${n},`);
  }
  return `${lines.join("\r\n")}\r\n`;
}

