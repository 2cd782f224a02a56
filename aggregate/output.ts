/** Reports as text: an aligned table for people, JSON or CSV for scripts. */
import { csvField, formatTable } from '../shared/format.ts';
import type { Report } from './groups.ts';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export function renderReports(reports: readonly Report[], format: OutputFormat): string {
  switch (format) {
    case 'table':
      return reports
        .map((r) => `${r.title}\n${r.rows.length === 0 ? '(no rows)' : formatTable(r.columns, r.rows)}\n`)
        .join('\n');
    case 'json':
      // Amounts stay exact decimal strings; counts are numbers.
      return `${JSON.stringify(
        {
          reports: reports.map((r) => ({
            title: r.title,
            columns: r.columns,
            rows: r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))),
          })),
        },
        null,
        2,
      )}\n`;
    case 'csv':
      // Several reports: one CSV block each, separated by an empty line.
      return reports
        .map((r) => [r.columns, ...r.rows].map((row) => row.map((v) => csvField(String(v))).join(',')).join('\n'))
        .map((block) => `${block}\n`)
        .join('\n');
  }
}
