// `rareflow ui`: a read-only web view of the registry over node:http. Server-rendered pages re-read the registry on
// every request (a fresh snapshot when a worker holds it); run reports are served only from the artifact and state
// directories.

import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sep } from 'node:path';
import { InvalidInputError } from '../../core/invalidInputError.js';
import type { Registry } from '../../data/registry.js';
import { openRegistryForReading } from '../../data/registryReadAccess.js';
import { findRunReportHtml } from '../../data/runReportFiles.js';
import { approvalsPage } from './approvalPages.js';
import { modelPage, modelsPage, unknownModelPage } from './modelPages.js';
import { runPage, runsPage, unknownRunPage } from './runPages.js';
import { html, page, type Html } from './uiHtml.js';

/** Where pages read the registry from: a reader opened per request, or the handle a worker in this process holds. */
export type RegistrySource = () => Promise<{ registry: Registry; close(): Promise<void> }>;

export interface UiServerOptions {
  /** RAREFLOW_REGISTRY: read through openRegistryForReading unless `registry` is given. */
  registryPath: string;
  /** Run reports are served only when their file is inside one of these directories (artifact root, state dir). */
  reportRoots: string[];
  artifactRoot: string;
  /** @default 127.0.0.1 */
  host?: string;
  /** @default 8090; 0 picks a free port */
  port?: number;
  registry?: RegistrySource;
}

export interface UiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(res: ServerResponse, status: number, body: Html | string): void {
  const text = String(body);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

async function inside(path: string, roots: string[]): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return false;
  }
  for (const root of roots) {
    const r = await realpath(root).catch(() => undefined);
    if (r !== undefined && real.startsWith(r.endsWith(sep) ? r : r + sep)) return true;
  }
  return false;
}

/** The page for one request, as status and HTML. */
async function route(o: UiServerOptions, registry: Registry, url: URL): Promise<{ status: number; body: Html | string }> {
  let parts: string[];
  try {
    parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
  } catch {
    return { status: 400, body: page('Bad address', html`<p>The address <code>${url.pathname}</code> is not valid percent-encoding.</p>`) };
  }
  const reportOf = async (run: { runId: string; reportUri: string | null }) => {
    const path = await findRunReportHtml(o.artifactRoot, run);
    return path !== undefined && (await inside(path, o.reportRoots)) ? path : undefined;
  };
  const notFoundModel = async (name: string) => ({ status: 404, body: unknownModelPage(name, await registry.modelNames()) });

  if (parts.length === 0)
    return { status: 200, body: modelsPage(await registry.modelSummaries(), (await registry.runsAwaitingApproval()).length) };
  const [section, id, ...rest] = parts;
  if (rest.length === 0 && section === 'models' && id !== undefined) {
    const d = await registry.modelDetail(id);
    if (!d) return notFoundModel(id);
    return { status: 200, body: modelPage(d, await registry.runSummaries({ modelName: id, limit: 20 })) };
  }
  if (section === 'runs' && id === undefined) {
    const names = await registry.modelNames();
    const model = url.searchParams.get('model') ?? undefined;
    if (model !== undefined && !names.includes(model)) return notFoundModel(model);
    return { status: 200, body: runsPage(await registry.runSummaries(model === undefined ? {} : { modelName: model }), names, model) };
  }
  if (section === 'runs' && id !== undefined && rest.length === 0) {
    const d = await registry.runDetail(id);
    if (!d)
      return {
        status: 404,
        body: unknownRunPage(
          id,
          (await registry.runSummaries({ limit: 5 })).map((r) => r.runId),
        ),
      };
    return { status: 200, body: runPage(d, (await reportOf(d)) !== undefined) };
  }
  if (section === 'approvals' && id === undefined) {
    const waiting = await registry.runsAwaitingApproval();
    const reports = new Set<string>();
    for (const d of waiting) if (await reportOf(d)) reports.add(d.runId);
    return { status: 200, body: approvalsPage(waiting, (runId) => reports.has(runId)) };
  }
  if (section === 'reports' && id !== undefined && rest.length === 0) {
    const d = await registry.runDetail(id);
    const path = d ? await reportOf(d) : undefined;
    if (path !== undefined) return { status: 200, body: await readFile(path, 'utf8') };
    return {
      status: 404,
      body: page('Report not found', html`<p>No HTML run report for run <code>${id}</code> in the artifact store.</p>`),
    };
  }
  return {
    status: 404,
    body: page('Page not found', html`<p>No page at <code>${url.pathname}</code>. Start from the <a href="/">models</a>.</p>`),
  };
}

/** Starts the UI server; resolves once it listens. A port in use is an input error naming the flag. */
export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const source: RegistrySource =
    o.registry ??
    (async () => {
      const reader = await openRegistryForReading(o.registryPath);
      return { registry: reader.registry, close: () => reader.close() };
    });
  // One request at a time: each opens (or snapshots) the registry, and two DuckDB instances on one file in one
  // process must never meet.
  let queue: Promise<unknown> = Promise.resolve();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('the rareflow UI is read-only: GET and HEAD only\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    let reader: Awaited<ReturnType<RegistrySource>>;
    try {
      reader = await source();
    } catch (err) {
      if (err instanceof InvalidInputError) return send(res, 503, page('No registry yet', html`<p>${err.message}</p>`));
      throw err;
    }
    try {
      const { status, body } = await route(o, reader.registry, url);
      send(res, status, body);
    } finally {
      await reader.close();
    }
  };
  const server: Server = createServer((req, res) => {
    const next = queue.then(() => handle(req, res));
    queue = next.catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, page('Error', html`<p>${err instanceof Error ? err.message : String(err)}</p>`));
    });
  });
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8090;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new InvalidInputError('--port', `--port: port ${port} on ${host} is in use; choose another (--port 0 picks a free one)`)
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new InvalidInputError('--host', `--host: cannot listen on "${host}" (${err.code}); expected an address of this machine`)
            : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
