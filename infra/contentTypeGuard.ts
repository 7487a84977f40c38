// The media type a JSON endpoint takes. Requiring `application/json` keeps a web page from posting to the service
// without a CORS preflight (text/plain, form encodings and multipart are "simple" requests a browser sends freely).

/** Null when the request declares `application/json` (parameters such as charset allowed), else the refusal text. */
export function jsonContentTypeProblem(header: string | undefined, path: string): string | null {
  const mediaType = (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header!)?.[1]?.toLowerCase();
    if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return null;
    return `${path}: Content-Type charset must be utf-8, got ${JSON.stringify(charset)}`;
  }
  return `${path}: expected Content-Type application/json, got ${header === undefined || header.trim() === '' ? 'none' : JSON.stringify(header.length > 80 ? `${header.slice(0, 80)}…` : header)}`;
}
