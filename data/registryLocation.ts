// Where the registry is (RAREFLOW_REGISTRY): a DuckDB file path or a PostgreSQL URL, and how a URL is shown in
// messages without its password.

/** True for `postgres://…` and `postgresql://…`. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/** The URL with its password replaced by `***`, for every message and log line that names it. */
export function maskedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
