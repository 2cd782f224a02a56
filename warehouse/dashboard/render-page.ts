/**
 * The dashboard page as HTML. Two forms of one document:
 *  - `server`: what `salesflow dashboard` serves — the model for the requested
 *    filters embedded, ECharts and the page script loaded from the same server;
 *  - `file`: one self-contained file (`--out report.html`) — ECharts, the page
 *    script, the styles and the model all inlined, so it opens offline from disk
 *    and can be mailed.
 * Either way a Content-Security-Policy lets the page load nothing from anywhere
 * else (in the file, scripts run only if their SHA-256 matches), which is what
 * keeps every request on the machine.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportModel } from './report-model.ts';

export type PageMode = 'server' | 'file';

export interface PageOptions {
  model: ReportModel;
  mode: PageMode;
  /** Seconds between refreshes in server mode (0: none). */
  refreshSeconds?: number;
}

const ASSETS = new URL('./assets/', import.meta.url);
export const ECHARTS_PATH = createRequire(import.meta.url).resolve('echarts/dist/echarts.min');

/** The browser-side files: the page script, its styles and ECharts (read once, then kept). */
export const pageAssets = (() => {
  let cache: { script: string; css: string; echarts: string } | undefined;
  return () => {
    cache ??= {
      script: readFileSync(new URL('dashboard.js', ASSETS), 'utf8'),
      css: readFileSync(new URL('dashboard.css', ASSETS), 'utf8'),
      echarts: readFileSync(ECHARTS_PATH, 'utf8'),
    };
    return cache;
  };
})();

/** Paths the server answers for the assets (server mode). */
export const ASSET_ROUTES = { echarts: '/assets/echarts.min.js', script: '/assets/dashboard.js' } as const;

/** The policy `salesflow dashboard` sends: same-origin scripts and requests only. */
export const SERVER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy inside a written file: only the two inlined scripts run, and nothing may be fetched. */
export function fileCsp(scripts: readonly string[]): string {
  return `default-src 'none'; script-src ${scripts.map(sha256).join(' ')}; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'`;
}

/** JSON inside a <script type="application/json"> block: `<` escaped so no text can close the block. */
function jsonBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replaceAll('<', '\\u003c')}</script>`;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function panel(id: string, title: string, body: string, opts: { wide?: boolean; caption?: string } = {}): string {
  return `<article id="${id}"${opts.wide ? ' class="wide"' : ''}>
<h2>${escapeHtml(title)}${opts.caption ? ` <span class="caption" id="${id}-month"></span>` : ''}</h2>
<p class="panel-message" id="${id}-message" hidden></p>
${body}
</article>`;
}

export function renderReportPage(opts: PageOptions): string {
  const assets = pageAssets();
  const config = { mode: opts.mode, refreshSeconds: opts.mode === 'server' ? (opts.refreshSeconds ?? 0) : 0 };
  const scripts =
    opts.mode === 'file'
      ? `<script>${assets.echarts}</script>\n<script>${assets.script}</script>`
      : `<script src="${ASSET_ROUTES.echarts}"></script>\n<script src="${ASSET_ROUTES.script}"></script>`;
  const csp =
    opts.mode === 'file'
      ? `<meta http-equiv="Content-Security-Policy" content="${fileCsp([assets.echarts, assets.script])}">\n`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${csp}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>salesflow — sales dashboard</title>
<link rel="icon" href="data:,">
<style>${assets.css}</style>
</head>
<body data-state="loading">
<header>
<h1>Sales dashboard</h1>
<span id="source"></span>
<span id="refresh-note"></span>
</header>
<form id="filters">
<label>From <input type="date" id="filter-from" name="from"></label>
<label>To <input type="date" id="filter-to" name="to"></label>
<label>Region <select id="filter-region" name="region"></select></label>
<button type="submit">Apply</button>
<button type="button" id="filter-reset">Reset</button>
<span id="filter-text"></span>
</form>
<div id="notice" class="notice" role="alert" hidden></div>
<section class="cards" id="kpis" aria-label="Key figures"></section>
<p class="panel-message" id="kpis-message" hidden></p>
<section class="grid">
${panel('sales-by-day', 'Sales by day and region', '<div class="chart" id="chart-sales-by-day"></div>', { wide: true })}
${panel('by-category', 'Revenue by category', '<div class="chart" id="chart-by-category"></div>')}
${panel('by-region', 'Revenue by region', '<div class="chart" id="chart-by-region"></div>')}
${panel('top-customers', 'Top customers', '<table id="table-top-customers"></table>')}
${panel('category-performance', 'Category performance', '<table id="table-category-performance"></table>', { caption: 'month' })}
${panel('load-health', 'Load health (files per day and status, all loads)', '<div class="chart" id="chart-load-health"></div>')}
${panel('quarantine', 'Quarantine reasons (all loads)', '<div class="chart" id="chart-quarantine"></div>')}
${panel('live', 'Live: sales per minute', '<p class="caption">state: <span id="live-state"></span> <span id="live-freshness"></span></p>\n<div class="chart" id="chart-live"></div>', { wide: true })}
</section>
${jsonBlock('report-config', config)}
${jsonBlock('report-data', opts.model)}
${scripts}
</body>
</html>
`;
}
