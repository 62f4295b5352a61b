// Statistics of a store over a day range, grouped by service, desk, hour or day: issued, served,
// no-shows, cancelled, average and p90 wait and service times, the service level and the busiest
// hours; charts (uPlot) with their numbers in tables, and the hub's CSV of the same query.
import { useMemo, useState, type FormEvent } from 'react';
import { formatLocaleFor } from '../../../shared/i18n/index.js';
import {
  consolePath,
  StatsGroupBySchema,
  type StatsGroupBy,
  type StatsQuery,
  type StatsRow,
} from '../../../shared/protocol/console.js';
import { call, queryString } from '../api.js';
import { useConsole, useT } from '../context.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorNotice, Field, PageHeader } from '../components/ui.js';
import { useLoad } from '../components/use-load.js';
import { storeToday } from '../days.js';

const COLORS = { one: '#1f3a5f', two: '#b35900' };

export function StatsPage() {
  const { store, lang } = useConsole();
  const t = useT();
  const storeId = store?.id ?? '';
  const today = storeToday(store?.timeZone ?? 'UTC');
  const [form, setForm] = useState<StatsQuery>({
    from: today,
    to: today,
    groupBy: 'service',
    targetWaitMinutes: 10,
  });
  const [query, setQuery] = useState<StatsQuery>(form);
  const stats = useLoad(
    () => call('stats', { params: { storeId }, input: query }),
    [storeId, query.from, query.to, query.groupBy, query.targetWaitMinutes],
  );
  const number = useMemo(() => new Intl.NumberFormat(formatLocaleFor(lang)), [lang]);
  const oneDecimal = useMemo(
    () => new Intl.NumberFormat(formatLocaleFor(lang), { maximumFractionDigits: 1 }),
    [lang],
  );
  const percent = useMemo(
    () =>
      new Intl.NumberFormat(formatLocaleFor(lang), { style: 'percent', maximumFractionDigits: 1 }),
    [lang],
  );
  const minutesOf = (seconds: number | null) =>
    seconds === null ? '—' : t('console.stats.min', { value: oneDecimal.format(seconds / 60) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(form);
  };
  const data = stats.data;
  const groupName = t(`console.stats.by.${query.groupBy}`);
  const rows: readonly StatsRow[] = useMemo(() => data?.rows ?? [], [data]);
  const categories = useMemo(() => rows.map((r) => r.label), [rows]);
  const ticketSeries = useMemo(
    () => [
      { label: t('console.stats.issued'), values: rows.map((r) => r.issued), color: COLORS.one },
      { label: t('console.stats.served'), values: rows.map((r) => r.served), color: COLORS.two },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t follows lang
    [rows, lang],
  );
  const waitSeries = useMemo(
    () => [
      {
        label: t('console.stats.avgTtw'),
        values: rows.map((r) => (r.ttw.avg === null ? null : r.ttw.avg / 60)),
        color: COLORS.one,
      },
      {
        label: t('console.stats.p90Ttw'),
        values: rows.map((r) => (r.ttw.p90 === null ? null : r.ttw.p90 / 60)),
        color: COLORS.two,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t follows lang
    [rows, lang],
  );
  const hours = useMemo(() => data?.hours ?? [], [data]);
  const hourCategories = useMemo(() => hours.map((h) => h.hour), [hours]);
  const hourSeries = useMemo(
    () => [
      { label: t('console.stats.issued'), values: hours.map((h) => h.issued), color: COLORS.one },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t follows lang
    [hours, lang],
  );
  const formatMinutes = useMemo(() => (v: number) => oneDecimal.format(v), [oneDecimal]);
  const csvHref = `${consolePath('statsCsv', { storeId })}${queryString(query)}`;
  const total = data?.total;

  return (
    <>
      <PageHeader title={`${t('console.stats.title')} · ${store?.name ?? ''}`} />
      <form className="toolbar" onSubmit={submit}>
        <Field label={t('console.stats.from')}>
          <input
            type="date"
            value={form.from}
            max={form.to}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
            required
          />
        </Field>
        <Field label={t('console.stats.to')}>
          <input
            type="date"
            value={form.to}
            min={form.from}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
            required
          />
        </Field>
        <Field label={t('console.stats.groupBy')}>
          <select
            value={form.groupBy}
            onChange={(e) => setForm({ ...form, groupBy: e.target.value as StatsGroupBy })}
          >
            {StatsGroupBySchema.options.map((g) => (
              <option key={g} value={g}>
                {t(`console.stats.by.${g}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('console.stats.target')}>
          <input
            type="number"
            min={0}
            max={1440}
            value={form.targetWaitMinutes}
            onChange={(e) => setForm({ ...form, targetWaitMinutes: Number(e.target.value) })}
          />
        </Field>
        <div className="field">
          <button type="submit" className="primary">
            {t('console.stats.show')}
          </button>
        </div>
        <div className="field">
          <a
            className="button"
            href={csvHref}
            download={`lineup-${storeId}-${query.from}-${query.to}.csv`}
          >
            {t('console.stats.csv')}
          </a>
        </div>
      </form>
      <ErrorNotice error={stats.error} />
      {total !== undefined && data !== null && (
        <>
          <h2>{t('console.stats.totals')}</h2>
          <dl className="stat-tiles" data-testid="stats-totals">
            <div data-stat="issued">
              <dt>{t('console.stats.issued')}</dt>
              <dd>{number.format(total.issued)}</dd>
            </div>
            <div data-stat="served">
              <dt>{t('console.stats.served')}</dt>
              <dd>{number.format(total.served)}</dd>
            </div>
            <div data-stat="noShows">
              <dt>{t('console.stats.noShows')}</dt>
              <dd>{number.format(total.noShows)}</dd>
            </div>
            <div data-stat="cancelled">
              <dt>{t('console.stats.cancelled')}</dt>
              <dd>{number.format(total.cancelled)}</dd>
            </div>
            <div data-stat="avgTtw">
              <dt>{t('console.stats.avgTtw')}</dt>
              <dd>{minutesOf(total.ttw.avg)}</dd>
            </div>
            <div data-stat="p90Ttw">
              <dt>{t('console.stats.p90Ttw')}</dt>
              <dd>{minutesOf(total.ttw.p90)}</dd>
            </div>
            <div data-stat="avgTtp">
              <dt>{t('console.stats.avgTtp')}</dt>
              <dd>{minutesOf(total.ttp.avg)}</dd>
            </div>
            <div data-stat="p90Ttp">
              <dt>{t('console.stats.p90Ttp')}</dt>
              <dd>{minutesOf(total.ttp.p90)}</dd>
            </div>
            <div data-stat="withinTarget">
              <dt>{t('console.stats.serviceLevel', { minutes: data.targetWaitMinutes })}</dt>
              <dd>{total.withinTarget === null ? '—' : percent.format(total.withinTarget)}</dd>
            </div>
            <div data-stat="busiest">
              <dt>{t('console.stats.busiest')}</dt>
              <dd>
                {data.busiestHours.length === 0
                  ? '—'
                  : data.busiestHours.map((h) => `${h}h`).join(' · ')}
              </dd>
            </div>
          </dl>
          {rows.length === 0 ? (
            <p className="notice">{t('console.stats.empty')}</p>
          ) : (
            <>
              <h2>{groupName}</h2>
              <div className="table-scroll">
                <table className="data-table" data-testid="stats-rows">
                  <caption className="visually-hidden">{groupName}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{groupName}</th>
                      <th scope="col">{t('console.stats.issued')}</th>
                      <th scope="col">{t('console.stats.served')}</th>
                      <th scope="col">{t('console.stats.noShows')}</th>
                      <th scope="col">{t('console.stats.cancelled')}</th>
                      <th scope="col">{t('console.stats.avgTtw')}</th>
                      <th scope="col">{t('console.stats.p90Ttw')}</th>
                      <th scope="col">{t('console.stats.avgTtp')}</th>
                      <th scope="col">{t('console.stats.p90Ttp')}</th>
                      <th scope="col">
                        {t('console.stats.serviceLevel', { minutes: data.targetWaitMinutes })}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.key} data-key={r.key}>
                        <th scope="row">{r.label}</th>
                        <td>{number.format(r.issued)}</td>
                        <td>{number.format(r.served)}</td>
                        <td>{number.format(r.noShows)}</td>
                        <td>{number.format(r.cancelled)}</td>
                        <td>{minutesOf(r.ttw.avg)}</td>
                        <td>{minutesOf(r.ttw.p90)}</td>
                        <td>{minutesOf(r.ttp.avg)}</td>
                        <td>{minutesOf(r.ttp.p90)}</td>
                        <td>{r.withinTarget === null ? '—' : percent.format(r.withinTarget)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <BarChart
                title={t('console.stats.chartTickets', { group: groupName })}
                categoryHeader={groupName}
                categories={categories}
                series={ticketSeries}
              />
              <BarChart
                title={t('console.stats.chartWait', { group: groupName })}
                categoryHeader={groupName}
                categories={categories}
                series={waitSeries}
                format={formatMinutes}
              />
            </>
          )}
          <BarChart
            title={t('console.stats.chartHours')}
            categoryHeader={t('console.stats.by.hour')}
            categories={hourCategories}
            series={hourSeries}
          />
        </>
      )}
    </>
  );
}
