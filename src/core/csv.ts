/** CSV output (RFC 4180 quoting), shared by the study export and the runs import. */

/**
 * One CSV cell: empty for undefined or null; the value as text, quoted (with inner quotes
 * doubled) when it holds a quote, a comma or a line break.
 */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
