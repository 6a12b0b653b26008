/**
 * 24 hours of electricity, water and activity around an alarm, drawn with uPlot (a small canvas
 * time-series library). This module is its own chunk (loaded with React.lazy by LazyCharts.tsx) so
 * the console's first paint does not wait for it. Each chart has a text summary for screen readers.
 */
import type { TelemetryQueryResponse } from '@anxin/protocol';
import { Text } from '@mantine/core';
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n';
import { chartColumns, type ChartKind } from './series';

const CHARTS: readonly { kind: ChartKind; title: MessageKey; unit: string; stepped: boolean }[] = [
  { kind: 'power', title: 'chart.power', unit: 'W', stepped: false },
  { kind: 'water', title: 'chart.water', unit: 'L', stepped: false },
  { kind: 'activity', title: 'chart.activity', unit: '', stepped: true },
];

/** Line colours: ≥ 3:1 against both white and the dark theme's body (graphics, WCAG 1.4.11). */
const LINE_COLOURS = ['#1864ab', '#e8590c', '#2b8a3e', '#862e9c'];
const ALARM_LINE = '#c92a2a';

export interface TelemetryChartsProps {
  data: TelemetryQueryResponse;
  /** Epoch ms of the alarm, marked with a vertical line. */
  alarmAt: number | null;
}

export default function TelemetryCharts({ data, alarmAt }: TelemetryChartsProps) {
  return (
    <div className="charts" data-testid="telemetry-charts">
      {CHARTS.map((chart) => (
        <OneChart key={chart.kind} {...chart} data={data} alarmAt={alarmAt} />
      ))}
    </div>
  );
}

function OneChart({
  kind,
  title,
  unit,
  stepped,
  data,
  alarmAt,
}: {
  kind: ChartKind;
  title: MessageKey;
  unit: string;
  stepped: boolean;
  data: TelemetryQueryResponse;
  alarmAt: number | null;
}) {
  const { t, formatTime, language } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const columns = useMemo(() => chartColumns(data.series, kind), [data, kind]);
  const empty = columns.x.length === 0;

  useEffect(() => {
    const element = host.current;
    if (element === null || empty) return;
    const width = Math.max(240, Math.floor(element.clientWidth));
    const alarmSeconds = alarmAt === null ? null : alarmAt / 1000;
    // Canvas text does not follow CSS: take the theme's text colour from the page.
    const ink = getComputedStyle(element).color || '#1a1b1e';
    const hour = new Intl.DateTimeFormat(language, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const day = new Intl.DateTimeFormat(language, { month: '2-digit', day: '2-digit' });
    const timeLabels = (_u: uPlot, splits: number[]) =>
      splits.map((s) => {
        const date = new Date(s * 1000);
        return date.getHours() === 0 && date.getMinutes() === 0
          ? day.format(date)
          : hour.format(date);
      });
    const options: uPlot.Options = {
      width,
      height: 120,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000] },
        y: kind === 'activity' ? { range: [0, 1.1] } : {},
      },
      axes: [
        { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.25)' }, values: timeLabels },
        {
          stroke: ink,
          size: 50,
          grid: { stroke: 'rgba(128,128,128,0.2)' },
          ...(kind === 'activity'
            ? { splits: () => [0, 1], values: () => [t('chart.off'), t('chart.on')] }
            : {}),
        },
      ],
      series: [
        {},
        ...columns.series.map((s, i) => ({
          label: s.label,
          stroke: LINE_COLOURS[i % LINE_COLOURS.length] ?? '#1864ab',
          width: 1.5,
          spanGaps: kind !== 'water',
          ...(stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
        })),
      ],
      hooks: {
        draw: [
          (u: uPlot) => {
            if (alarmSeconds === null) return;
            const x = u.valToPos(alarmSeconds, 'x', true);
            const { ctx } = u;
            ctx.save();
            ctx.strokeStyle = ALARM_LINE;
            ctx.lineWidth = 2 * uPlot.pxRatio;
            ctx.setLineDash([6, 4]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(
      options,
      [columns.x, ...columns.series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const observer = new ResizeObserver(() => {
      const next = Math.max(240, Math.floor(element.clientWidth));
      if (next !== plot.width) plot.setSize({ width: next, height: 120 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [columns, empty, data.from, data.to, kind, stepped, alarmAt, t, language]);

  const summary = empty
    ? t('chart.noData')
    : kind === 'activity'
      ? t('chart.activitySummary', {
          count: columns.series.reduce((n, s) => n + s.values.filter((v) => v === 1).length, 0),
        })
      : t('chart.summary', {
          max: columns.max ?? 0,
          latest: columns.latest ?? 0,
          unit,
        });
  return (
    <figure className="chart" data-testid={`chart-${kind}`} data-points={columns.x.length}>
      <figcaption>
        <Text size="sm" fw={700} span>
          {t(title)}
        </Text>{' '}
        <Text size="xs" span>
          {summary}
        </Text>
      </figcaption>
      {!empty && (
        <div
          ref={host}
          className="chart-canvas"
          role="img"
          aria-label={`${t(title)}: ${summary}. ${t('chart.range', {
            from: formatTime(data.from),
            to: formatTime(data.to),
          })}`}
        />
      )}
    </figure>
  );
}
