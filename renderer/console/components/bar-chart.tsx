// A bar chart drawn by uPlot with its numbers in a table beside it: the canvas is a picture for
// those who see it (role="img" with a summary), the table is what screen readers and keyboard
// users read, and what anybody can copy.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface BarSeries {
  label: string;
  values: readonly (number | null)[];
  color: string;
}

const HEIGHT = 240;

export function BarChart({
  title,
  categories,
  series,
  categoryHeader,
  format = (v) => String(v),
}: {
  title: string;
  categories: readonly string[];
  /** One or two series (two are drawn side by side). */
  series: readonly BarSeries[];
  categoryHeader: string;
  format?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null || categories.length === 0) return;
    const width = Math.max(280, el.clientWidth);
    const groups = series.length;
    const data: uPlot.AlignedData = [
      categories.map((_, i) => i),
      ...series.map((s) => s.values.map((v) => v ?? null)),
    ];
    const plot = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.5, categories.length - 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          {
            values: (_u, splits) => splits.map((i) => categories[i] ?? ''),
            splits: () => categories.map((_, i) => i),
            stroke: '#1b2430',
          },
          { stroke: '#1b2430', values: (_u, splits) => splits.map((v) => format(v)) },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: s.color,
            fill: s.color,
            // One series: centred bars; two: side by side, one each side of the tick.
            paths: uPlot.paths.bars?.({
              size: [groups === 1 ? 0.6 : 0.4, 80],
              align: groups === 1 ? 0 : i === 0 ? 1 : -1,
            }),
            points: { show: false },
          })),
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [categories, series, format]);

  const summary = series
    .map((s) => `${s.label}: ${s.values.reduce<number>((a, v) => a + (v ?? 0), 0)}`)
    .join(', ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-body">
        <div className="chart-canvas" ref={box} role="img" aria-label={`${title}. ${summary}`}>
          <ul className="chart-legend" aria-hidden="true">
            {series.map((s) => (
              <li key={s.label}>
                <span className="swatch" style={{ background: s.color }} /> {s.label}
              </li>
            ))}
          </ul>
        </div>
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{categoryHeader}</th>
                {series.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {categories.map((c, row) => (
                <tr key={c}>
                  <th scope="row">{c}</th>
                  {series.map((s) => {
                    const v = s.values[row];
                    return <td key={s.label}>{v === null || v === undefined ? '—' : format(v)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </figure>
  );
}
