/**
 * Values written into the request log come from clients (object keys, paths): a key holding a
 * newline must not start a forged log line. Control characters (C0, DEL, C1) and the Unicode line
 * and paragraph separators become escapes; the backslash is escaped too, so that an escape in the
 * log always means an escaped character and never a key that spelled one out.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `value` with `\` as `\\`, LF/CR/TAB as `\n`/`\r`/`\t`, any other control character as `\xHH` (`\uHHHH` above 0xFF). */
export function escapeLogValue(value: string): string {
  return value.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
