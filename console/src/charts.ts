import { BarChart, FunnelChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only the chart types the console draws, so the bundle carries no more of ECharts than that.
echarts.use([BarChart, FunnelChart, HeatmapChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) echarts.getInstanceByDom(entry.target as HTMLElement)?.resize();
});

function mount(el: HTMLElement, option: echarts.EChartsCoreOption): void {
  const chart = echarts.getInstanceByDom(el) ?? echarts.init(el);
  chart.setOption(option, true);
  resizer.observe(el);
}

export interface Series {
  name: string;
  type: 'line' | 'bar';
  values: Array<number | null>;
  stack?: string;
  /** Index of the y axis (0 left, 1 right). */
  axis?: 0 | 1;
}

export function periodChart(
  el: HTMLElement,
  args: { categories: string[]; series: Series[]; format: (value: number) => string; rightFormat?: (value: number) => string },
): void {
  const axisFormat = (format: (value: number) => string) => ({ type: 'value' as const, axisLabel: { formatter: (value: number) => format(value) } });
  mount(el, {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: unknown) => (typeof value === 'number' ? args.format(value) : '–'),
    },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: 'category', data: args.categories },
    yAxis: args.rightFormat ? [axisFormat(args.format), axisFormat(args.rightFormat)] : axisFormat(args.format),
    series: args.series.map((series) => ({
      name: series.name,
      type: series.type,
      data: series.values,
      stack: series.stack,
      yAxisIndex: series.axis ?? 0,
      connectNulls: false,
      tooltip: series.axis === 1 && args.rightFormat ? { valueFormatter: (value: unknown) => (typeof value === 'number' ? args.rightFormat!(value) : '–') } : undefined,
    })),
  });
}

export function heatmap(
  el: HTMLElement,
  args: { xLabels: string[]; yLabels: string[]; cells: Array<[number, number, number | null]>; format: (value: number) => string; label: string },
): void {
  const values = args.cells.map((cell) => cell[2]).filter((value): value is number => value != null);
  mount(el, {
    tooltip: {
      formatter: (params: { data: [number, number, number | null] }) => {
        const [x, y, value] = params.data;
        return `${args.yLabels[y]} · ${args.xLabels[x]}<br>${args.label}: <b>${value == null ? '–' : args.format(value)}</b>`;
      },
    },
    grid: { left: 8, right: 8, bottom: 48, top: 8, containLabel: true },
    xAxis: { type: 'category', data: args.xLabels, splitArea: { show: true } },
    yAxis: { type: 'category', data: args.yLabels, inverse: true, splitArea: { show: true } },
    visualMap: { min: Math.min(0, ...values), max: Math.max(1, ...values), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, formatter: (value: number) => args.format(value) },
    series: [{ type: 'heatmap', data: args.cells, label: { show: args.xLabels.length <= 13, formatter: (p: { data: [number, number, number | null] }) => (p.data[2] == null ? '' : args.format(p.data[2])), fontSize: 10 } }],
  });
}

export function funnel(el: HTMLElement, items: Array<{ name: string; value: number }>, format: (value: number) => string): void {
  mount(el, {
    tooltip: { trigger: 'item', valueFormatter: (value: unknown) => (typeof value === 'number' ? format(value) : '–') },
    series: [{ type: 'funnel', sort: 'none', left: '10%', width: '80%', minSize: '10%', label: { formatter: '{b}: {c}' }, data: items }],
  });
}

export function bars(el: HTMLElement, args: { categories: string[]; series: Array<{ name: string; values: number[] }>; format: (value: number) => string; horizontal?: boolean }): void {
  const category = { type: 'category' as const, data: args.categories };
  const value = { type: 'value' as const, axisLabel: { formatter: (v: number) => args.format(v) } };
  mount(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? args.format(v) : '–') },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: args.horizontal ? value : category,
    yAxis: args.horizontal ? { ...category, inverse: true } : value,
    series: args.series.map((series) => ({ name: series.name, type: 'bar', data: series.values })),
  });
}
