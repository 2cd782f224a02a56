// The dashboard page's script (runs in the browser, loaded as is — no build step).
// It draws the report model embedded in the page with Apache ECharts (bundled
// with the page, never from the network) and, when served by `salesflow
// dashboard`, asks the same server for a fresh model on a timer or when the
// filters change. Every value from the warehouse reaches the page as text
// (textContent, richText tooltips), never as HTML.
(() => {
  const config = JSON.parse(document.getElementById('report-config').textContent);
  const charts = new Map();
  let model = JSON.parse(document.getElementById('report-data').textContent);
  let timer;

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };

  // Exact decimal strings keep their digits: only thousands separators are added.
  const groupDigits = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const money = (v) => {
    if (v === null || v === undefined) return '–';
    const [whole, frac] = String(v).split('.');
    const neg = whole.startsWith('-');
    return `${neg ? '-' : ''}${groupDigits(neg ? whole.slice(1) : whole)}${frac === undefined ? '' : `.${frac}`}`;
  };
  const count = (v) => (v === null || v === undefined ? '–' : groupDigits(String(v)));
  const pct = (v) => (v === null || v === undefined ? '–' : `${money(v)} %`);
  const time = (v) =>
    v
      ? String(v)
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')
      : '–';

  function setPanelMessage(id, message) {
    const p = $(`${id}-message`);
    p.textContent = message || '';
    p.hidden = !message;
  }

  function chart(id, option) {
    const node = $(id);
    let c = charts.get(id);
    if (!option) {
      if (c) {
        c.dispose();
        charts.delete(id);
      }
      node.hidden = true;
      return;
    }
    node.hidden = false;
    if (!c) {
      c = echarts.init(node, null, { renderer: 'svg' });
      charts.set(id, c);
    }
    c.setOption(
      {
        animation: false,
        tooltip: { trigger: 'axis', renderMode: 'richText' },
        grid: { containLabel: true },
        ...option,
      },
      true,
    );
  }

  /** A panel's rows, or a message in the panel when there are none; returns undefined then. */
  function rowsOf(panel, id, emptyText) {
    if (panel.error) {
      setPanelMessage(id, panel.error);
      return undefined;
    }
    if (panel.rows.length === 0) {
      setPanelMessage(id, emptyText);
      return undefined;
    }
    setPanelMessage(id, '');
    return panel.rows;
  }

  function renderKpis() {
    const k = model.panels.kpis.rows[0] || {};
    const p = model.panels.pipeline.rows[0] || {};
    const cards = [
      ['revenue', 'Revenue', money(k.total_sales ?? null), k.total_sales],
      ['transactions', 'Transactions', count(k.transactions ?? null), k.transactions],
      ['average-ticket', 'Average ticket', money(k.average_ticket ?? null), k.average_ticket],
      ['rows-loaded', 'Rows in silver', count(p.silver_rows ?? null), p.silver_rows],
      ['rows-quarantined', 'Rows quarantined', count(p.quarantined_rows ?? null), p.quarantined_rows],
      ['last-load', 'Last load', time(p.last_load ?? null), p.last_load],
    ];
    $('kpis').replaceChildren(
      ...cards.map(([key, label, text, raw]) =>
        el('div', { class: 'kpi', dataset: { kpi: key } }, [
          el('span', { class: 'label', text: label }),
          el('span', {
            class: 'value',
            text,
            dataset: { value: raw === undefined || raw === null ? '' : String(raw) },
          }),
        ]),
      ),
    );
    const errors = [model.panels.kpis.error, model.panels.pipeline.error].filter(Boolean);
    setPanelMessage('kpis', errors.join(' · '));
  }

  function renderSalesByDay() {
    const rows = rowsOf(model.panels.salesByDay, 'sales-by-day', 'No sales in this range.');
    if (!rows) return chart('chart-sales-by-day');
    const days = [...new Set(rows.map((r) => r.transaction_date))].sort();
    const index = new Map(days.map((d, i) => [d, i]));
    const regions = [...new Set(rows.map((r) => r.sales_region))].sort();
    const series = regions.map((region) => {
      const data = new Array(days.length).fill(null);
      for (const r of rows) if (r.sales_region === region) data[index.get(r.transaction_date)] = Number(r.total_sales);
      return { type: 'line', name: region, data, showSymbol: days.length < 60, connectNulls: false };
    });
    chart('chart-sales-by-day', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', name: 'total' },
      dataZoom: [{ type: 'inside' }],
      series,
    });
  }

  function bars(id, panel, key, emptyText) {
    const rows = rowsOf(panel, id, emptyText);
    if (!rows) return chart(`chart-${id}`);
    chart(`chart-${id}`, {
      xAxis: {
        type: 'category',
        data: rows.map((r) => r[key]),
        axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 },
      },
      yAxis: { type: 'value', name: 'total' },
      series: [{ type: 'bar', name: 'total sales', data: rows.map((r) => Number(r.total_sales)) }],
    });
  }

  function table(id, panel, columns, emptyText) {
    const rows = rowsOf(panel, id, emptyText) || [];
    const head = el(
      'tr',
      {},
      columns.map(([, label]) => el('th', { text: label })),
    );
    const body = rows.map((r) =>
      el(
        'tr',
        {},
        columns.map(([key, , format, cls]) => el('td', { text: format(r[key]), ...(cls ? { class: cls } : {}) })),
      ),
    );
    $(`table-${id}`).replaceChildren(el('thead', {}, [head]), el('tbody', {}, body));
  }

  function renderCategoryPerformance() {
    const panel = model.panels.categoryPerformance;
    const latest = panel.rows.length ? panel.rows[0].month : null;
    const rows = panel.rows.filter((r) => r.month === latest);
    $('category-performance-month').textContent = latest ? `month of ${latest}` : '';
    table(
      'category-performance',
      { rows, error: panel.error },
      [
        ['product_category', 'Category', String],
        ['revenue', 'Revenue', money, 'num'],
        ['revenue_share_pct', 'Share', pct, 'num'],
        ['average_ticket', 'Avg ticket', money, 'num'],
        ['mom_growth_pct', 'vs previous month', pct, 'num'],
      ],
      'No sales in this range.',
    );
  }

  function renderLoadHealth() {
    const rows = rowsOf(model.panels.loadHealth, 'load-health', 'No loads logged yet.');
    if (!rows) return chart('chart-load-health');
    const days = [...new Set(rows.map((r) => r.load_date))].sort();
    const statuses = [...new Set(rows.map((r) => r.status))].sort();
    chart('chart-load-health', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', name: 'files', minInterval: 1 },
      series: statuses.map((s) => ({
        type: 'bar',
        stack: 'files',
        name: s,
        data: days.map((d) => rows.find((r) => r.load_date === d && r.status === s)?.files ?? 0),
      })),
    });
  }

  function renderQuarantine() {
    const rows = rowsOf(model.panels.quarantineReasons, 'quarantine', 'Nothing quarantined.');
    if (!rows) return chart('chart-quarantine');
    const ordered = [...rows].reverse();
    chart('chart-quarantine', {
      tooltip: { trigger: 'item', renderMode: 'richText' },
      xAxis: { type: 'value', name: 'rows', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: ordered.map((r) => r.reason),
        axisLabel: { width: 260, overflow: 'truncate' },
      },
      series: [{ type: 'bar', name: 'rows', data: ordered.map((r) => r.row_count) }],
    });
  }

  function renderLive() {
    const live = model.live;
    $('live-state').textContent = live.state;
    $('live').dataset.state = live.state;
    setPanelMessage('live', live.message);
    const fresh = [
      live.newestWindow ? `newest window ${time(live.newestWindow)}` : '',
      live.lastUpdated ? `last updated ${time(live.lastUpdated)}` : '',
    ].filter(Boolean);
    $('live-freshness').textContent = fresh.join(' · ');
    if (live.state !== 'ok') return chart('chart-live');
    const minutes = [...new Set(live.rows.map((r) => r.window_start))].sort();
    const index = new Map(minutes.map((m, i) => [m, i]));
    const regions = [...new Set(live.rows.map((r) => r.sales_region))].sort();
    chart('chart-live', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: minutes.map((m) => String(m).slice(11, 16)) },
      yAxis: { type: 'value', name: 'total / min' },
      series: regions.map((region) => {
        const data = new Array(minutes.length).fill(null);
        for (const r of live.rows)
          if (r.sales_region === region) data[index.get(r.window_start)] = Number(r.total_sales);
        return { type: 'line', name: region, data };
      }),
    });
  }

  // The form shows the applied filters, except while someone is editing it: a
  // timer's refresh must not undo a half-made choice.
  let editing = false;

  function renderFilters() {
    const f = model.filters;
    $('filter-text').textContent = model.filterText;
    if (editing) return;
    $('filter-from').value = f.from || '';
    $('filter-to').value = f.to || '';
    for (const id of ['filter-from', 'filter-to']) {
      if (model.dataRange.first) $(id).min = model.dataRange.first;
      if (model.dataRange.last) $(id).max = model.dataRange.last;
    }
    const select = $('filter-region');
    const regions = [...new Set([...model.regions, ...(f.region ? [f.region] : [])])];
    select.replaceChildren(
      el('option', { value: '', text: 'All regions' }),
      ...regions.map((r) => el('option', { value: r, text: r })),
    );
    select.value = f.region || '';
  }

  function render() {
    const notice = $('notice');
    notice.textContent = model.notice ? model.notice.message : '';
    notice.className = model.notice ? `notice ${model.notice.level}` : 'notice';
    notice.hidden = !model.notice;
    $('source').textContent = `${model.warehouse} · data as of ${time(model.generatedAt)}`;
    renderFilters();
    renderKpis();
    renderSalesByDay();
    bars('by-category', model.panels.byCategory, 'product_category', 'No sales in this range.');
    bars('by-region', model.panels.byRegion, 'sales_region', 'No sales in this range.');
    table(
      'top-customers',
      model.panels.topCustomers,
      [
        ['customer_id', 'Customer', String],
        ['customer_name', 'Name', (v) => v ?? '–'],
        ['customer_city', 'City', (v) => v ?? '–'],
        ['total_spent', 'Total spent', money, 'num'],
        ['purchases', 'Purchases', count, 'num'],
        ['last_purchase', 'Last purchase', (v) => v ?? '–'],
      ],
      'No customers in this range.',
    );
    renderCategoryPerformance();
    renderLoadHealth();
    renderQuarantine();
    renderLive();
    document.body.dataset.generatedAt = model.generatedAt;
    document.body.dataset.state = 'ready';
  }

  /** The filters in the form (what Apply sends). */
  function formFilters() {
    const q = new URLSearchParams();
    for (const [key, id] of [
      ['from', 'filter-from'],
      ['to', 'filter-to'],
      ['region', 'filter-region'],
    ]) {
      if ($(id).value) q.set(key, $(id).value);
    }
    return q;
  }

  const sameFilters = (a, b) => ['from', 'to', 'region'].every((k) => (a[k] || '') === (b[k] || ''));

  /** The filters of the model on the page (what a timed refresh asks for again). */
  function appliedFilters() {
    const q = new URLSearchParams();
    for (const key of ['from', 'to', 'region']) if (model.filters[key]) q.set(key, model.filters[key]);
    return q;
  }

  // Only the newest request may change the page: a timer's refresh still in flight
  // when the filters change is aborted, so its older answer can never win.
  let inFlight;
  async function refresh(filters) {
    clearTimeout(timer);
    inFlight?.abort();
    const request = new AbortController();
    inFlight = request;
    document.body.dataset.state = 'loading';
    try {
      const res = await fetch(`/api/report?${filters}`, {
        headers: { accept: 'application/json' },
        signal: request.signal,
      });
      const body = await res.json();
      if (inFlight !== request) return;
      if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
      // A warehouse that cannot be read right now (busy with a load, unreachable) does not
      // blank a page that has data: the data stays, with the reason and its age on top.
      if (!body.available && model.available && sameFilters(body.filters, model.filters)) {
        throw new Error(`${body.notice.message} Showing the data as of ${time(model.generatedAt)}.`);
      }
      model = body;
      history.replaceState(null, '', `?${filters}`);
      render();
    } catch (err) {
      if (inFlight !== request) return;
      const notice = $('notice');
      // fetch() rejects with a TypeError when the dashboard server itself is gone.
      notice.textContent = err instanceof TypeError ? `Cannot reach the dashboard server: ${err.message}` : err.message;
      notice.className = 'notice error';
      notice.hidden = false;
      document.body.dataset.state = 'ready';
    }
    if (inFlight === request) schedule();
  }

  function schedule() {
    if (config.mode === 'server' && config.refreshSeconds > 0) {
      timer = setTimeout(() => refresh(appliedFilters()), config.refreshSeconds * 1000);
    }
  }

  if (config.mode === 'server') {
    $('filters').addEventListener('input', () => {
      editing = true;
    });
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      editing = false;
      refresh(formFilters());
    });
    $('filter-reset').addEventListener('click', () => {
      editing = false;
      for (const id of ['filter-from', 'filter-to', 'filter-region']) $(id).value = '';
      refresh(new URLSearchParams());
    });
    $('refresh-note').textContent =
      config.refreshSeconds > 0 ? `Refreshes every ${config.refreshSeconds} s.` : 'Automatic refresh is off.';
  } else {
    for (const e of $('filters').elements) e.disabled = true;
    $('refresh-note').textContent =
      'A snapshot: filters were applied when it was written; run salesflow dashboard to change them.';
  }
  window.addEventListener('resize', () => {
    for (const c of charts.values()) c.resize();
  });
  render();
  schedule();
})();
