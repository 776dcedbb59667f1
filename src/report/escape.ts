/**
 * Escaping of user-supplied strings (study names, domain names, error
 * messages) for HTML text and attribute values. Every string that did not
 * come from this module's own templates goes through here.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `s` with `& < > " '` replaced by entities: safe as HTML text and as a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** A file-name- and id-safe form of `s` (letters, digits, `.`, `_`, `-`). */
export function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}
