const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * dlt's `join_url`: the path goes *under* the base URL's path (`/users` under `https://h/v3.1`
 * is `https://h/v3.1/users`), an absolute path replaces the base, and either side may be empty.
 */
export function joinUrl(baseUrl: string, path: string): string {
  if (ABSOLUTE.test(path)) return path;
  if (!baseUrl) return path;
  if (!path) return baseUrl;
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * Where a next-page link points. Absolute links are used as they are. A root-relative link
 * (`/contacts?page=2`) is joined under the base URL's path, because APIs such as Sage write
 * their links relative to the versioned base (`https://host/v3.1`) and dlt's `urljoin` drops
 * the `/v3.1`; if the link already starts with the base path, it is taken from the host root.
 * Other relative forms (`?page=2`, `page/2`) resolve against the current request URL (RFC 3986).
 */
export function resolveNextUrl(link: string, requestUrl: string, baseUrl: string): string {
  const l = link.trim();
  if (ABSOLUTE.test(l)) return l;
  if (l.startsWith("//")) return new URL(l, requestUrl).toString();
  if (l.startsWith("/")) {
    const base = ABSOLUTE.test(baseUrl) ? new URL(baseUrl) : new URL(requestUrl);
    const basePath = base.pathname.replace(/\/+$/, "");
    const underBase = basePath === "" || l === basePath || l.startsWith(`${basePath}/`) || l.startsWith(`${basePath}?`);
    return underBase ? new URL(l, base.origin).toString() : `${base.origin}${basePath}${l}`;
  }
  return new URL(l, requestUrl).toString();
}
