import { describe, expect, it } from 'vitest';
import {
  Counter,
  Gauge,
  Histogram,
  formatLabels,
  formatValue,
  metrics,
  renderFamilies,
  renderMetrics,
} from './metrics';

describe('Prometheus exposition', () => {
  it('renders a labelled counter with HELP and TYPE, starting known labels at 0', () => {
    const c = new Counter('t_requests_total', 'Requests.\nSecond line \\ here.', ['code'], [{ code: 'ok' }]);
    c.inc({ code: 'bad_request' });
    c.inc({ code: 'bad_request' }, 2);
    expect(renderFamilies([c])).toBe(
      '# HELP t_requests_total Requests.\\nSecond line \\\\ here.\n' +
        '# TYPE t_requests_total counter\n' +
        't_requests_total{code="ok"} 0\n' +
        't_requests_total{code="bad_request"} 3\n',
    );
    expect(c.get({ code: 'bad_request' })).toBe(3);
  });

  it('an unlabelled counter has one sample from the start', () => {
    expect(new Counter('t_total', 'x').lines()).toEqual(['t_total 0']);
  });

  it('escapes label values (backslash, quote, newline)', () => {
    expect(formatLabels({ a: 'x"y\\z\nw' })).toBe('{a="x\\"y\\\\z\\nw"}');
    expect(formatLabels({})).toBe('');
  });

  it('formats special values', () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.25)]).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0.25',
    ]);
  });

  it('renders cumulative histogram buckets, +Inf, sum and count', () => {
    const h = new Histogram('t_seconds', 'Latency.', [0.1, 1], ['result']);
    h.observe({ result: '2xx' }, 0.05);
    h.observe({ result: '2xx' }, 0.5);
    h.observe({ result: '2xx' }, 5);
    expect(h.lines()).toEqual([
      't_seconds_bucket{result="2xx",le="0.1"} 1',
      't_seconds_bucket{result="2xx",le="1"} 2',
      't_seconds_bucket{result="2xx",le="+Inf"} 3',
      't_seconds_sum{result="2xx"} 5.55',
      't_seconds_count{result="2xx"} 3',
    ]);
  });

  it('computes collected gauges at render time', () => {
    let n = 1;
    const g = new Gauge('t_gauge', 'g', ['q'], (self) => self.set({ q: 'a' }, n++));
    expect(g.lines()).toEqual(['t_gauge{q="a"} 1']);
    expect(g.lines()).toEqual(['t_gauge{q="a"} 2']);
  });

  it("renders this process's registry with the engine counters and process metrics, each family once", () => {
    metrics.deliveryAttempts.inc({ outcome: 'retry' });
    const text = renderMetrics();
    expect(text).toMatch(/^hookrelay_delivery_attempts_total\{outcome="retry"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE hookrelay_delivery_attempt_duration_seconds histogram$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    // Every sample line is `name{labels} value` with a name declared by a TYPE line above it.
    const declared = new Set(types.map((l) => l.split(' ')[2]));
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/);
      const name = line.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, '');
      expect(declared.has(name) || declared.has(line.split(/[{ ]/)[0])).toBe(true);
    }
  });
});
